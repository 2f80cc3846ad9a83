// `pnpm start`: build the dashboard if it is missing or stale, then run the service in this
// same process (run with `node --import tsx`), so signals reach it directly. A failed build is
// reported and the API starts anyway: `/` then says the dashboard is not built.
import { ensureWebBuild } from './web-build.mjs';

try {
  ensureWebBuild();
} catch (error) {
  process.stderr.write(`${error.message}; starting the API without the dashboard\n`);
}
await import('../apps/api/src/main.ts');
