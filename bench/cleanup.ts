/**
 * Everything the bench starts or creates registers its undo here, so a finished run, an error
 * and Ctrl-C all leave the machine as it was: no database, no process, no temp dir.
 */
type Undo = () => Promise<void> | void;

const undos: { label: string; undo: Undo }[] = [];
let running: Promise<void> | undefined;

export function onCleanup(label: string, undo: Undo): () => void {
  const entry = { label, undo };
  undos.push(entry);
  // The caller may undo early (e.g. a server stopped between phases); it then leaves the list.
  return () => {
    const index = undos.indexOf(entry);
    if (index >= 0) undos.splice(index, 1);
  };
}

/** Runs every undo, newest first; a failing one is reported and the rest still run. */
export function cleanUp(): Promise<void> {
  running ??= (async () => {
    while (undos.length > 0) {
      const { label, undo } = undos.pop() as { label: string; undo: Undo };
      try {
        await undo();
      } catch (error) {
        process.stderr.write(`cleanup: ${label} failed: ${String(error)}\n`);
      }
    }
  })();
  return running;
}

/** On Ctrl-C or SIGTERM: clean up, then exit with the conventional 128 + signal number. */
export function cleanUpOnSignals(): void {
  const handle = (signal: NodeJS.Signals, code: number) => {
    process.once(signal, () => {
      process.stderr.write(`\n${signal}: cleaning up…\n`);
      void cleanUp().finally(() => process.exit(code));
    });
  };
  handle('SIGINT', 130);
  handle('SIGTERM', 143);
}
