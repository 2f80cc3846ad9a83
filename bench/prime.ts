import type { SeededUser } from './bench-database';
import type { ServerProcess } from './server-process';

const CONCURRENCY = 16;

/**
 * Reads each of the user's runners once through the server (GET /v1/runner/{id}), so that it is
 * measured as a server that has been up a while: code optimised, the token verified, each
 * runner's headers decrypted once (the service remembers decryptions) and the rows in
 * Postgres's buffers. The floor is primed the same way. Fails on any answer but 200.
 */
export async function prime(target: ServerProcess, user: SeededUser): Promise<void> {
  const headers = { authorization: `Bearer ${user.token}` };
  let next = 0;
  const worker = async () => {
    while (next < user.runnerIds.length) {
      const id = user.runnerIds[next++];
      const response = await fetch(`${target.url}/v1/runner/${id}`, { headers });
      await response.arrayBuffer();
      if (response.status !== 200) {
        throw new Error(`priming ${target.name}: GET /v1/runner/${id} answered ${response.status}`);
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
}
