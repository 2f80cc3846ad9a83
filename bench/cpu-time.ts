import fs from 'node:fs';

// /proc/<pid>/stat counts in clock ticks; Linux reports USER_HZ = 100 to user space.
const TICKS_PER_SECOND = 100;

/**
 * User + system CPU seconds the process has used so far (Linux only); with `children`, also
 * those of its children that ended and were waited for.
 */
export function cpuSeconds(pid: number, children = false): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may hold spaces; fields after it are counted from its ")".
  const fields = stat
    .slice(stat.lastIndexOf(')') + 2)
    .split(' ')
    .map(Number);
  const [utime = 0, stime = 0, cutime = 0, cstime = 0] = fields.slice(11, 15);
  return (utime + stime + (children ? cutime + cstime : 0)) / TICKS_PER_SECOND;
}

/**
 * User + system CPU seconds used so far by every process named `postgres` on this machine (the
 * local server's backends, WAL writer, autovacuum workers…), and by those that ended: the
 * postmaster is their parent and collects their times. A backend that ends during the scan
 * would be missed or counted twice, so the scan is repeated until no child was collected
 * meanwhile. Zero when the database runs elsewhere.
 */
export function postgresCpuSeconds(): number {
  let live = 0;
  let ended = endedSeconds();
  for (let attempt = 0; attempt < 10; attempt++) {
    live = 0;
    for (const pid of postgresPids()) live += readOr(pid, (p) => cpuSeconds(p), 0);
    const after = endedSeconds();
    if (after === ended) break;
    ended = after;
  }
  return live + ended;
}

/** The times of ended children, collected by their parent: only the postmaster has any. */
function endedSeconds(): number {
  let total = 0;
  for (const pid of postgresPids()) {
    total += readOr(pid, (p) => cpuSeconds(p, true) - cpuSeconds(p), 0);
  }
  return total;
}

function postgresPids(): number[] {
  return fs.readdirSync('/proc').flatMap((entry) => {
    if (!/^\d+$/.test(entry)) return [];
    const stat = readOr(Number(entry), (pid) => fs.readFileSync(`/proc/${pid}/stat`, 'utf8'), '');
    return stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')) === 'postgres'
      ? [Number(entry)]
      : [];
  });
}

/** `read(pid)`, or `fallback` when the process ended before it could be read. */
function readOr<T>(pid: number, read: (pid: number) => T, fallback: T): T {
  try {
    return read(pid);
  } catch {
    return fallback;
  }
}
