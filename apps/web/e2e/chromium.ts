import fs from 'node:fs';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const candidate = () => process.env.CHROMIUM_PATH || '/usr/bin/chromium';

/** The browser the end-to-end suite drives, or undefined when it is not installed. */
export function chromiumPath(): string | undefined {
  const file = candidate();
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return file;
  } catch {
    return undefined;
  }
}

/**
 * Without a browser: in CI (CI set) the suite fails, saying why; elsewhere it is skipped, with a
 * line saying so and how to install one, so a skip is never mistaken for a pass.
 */
export function requireChromiumOrExplainSkip(): string | undefined {
  const found = chromiumPath();
  if (found) return found;
  const install = 'apt-get update && apt-get install -y chromium (or set CHROMIUM_PATH)';
  if (process.env.CI && !['0', 'false'].includes(process.env.CI)) {
    throw new Error(
      `The dashboard end-to-end suite needs Chromium at ${candidate()}, which is missing. Install it: ${install}`,
    );
  }
  process.stderr.write(
    `\n*** SKIPPED: the dashboard end-to-end suite did not run: no Chromium at ${candidate()}. Install it with: ${install}\n\n`,
  );
  return undefined;
}
