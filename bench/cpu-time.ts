import fs from 'node:fs';

// /proc/<pid>/stat counts in clock ticks; Linux reports USER_HZ = 100 to user space.
const TICKS_PER_SECOND = 100;

interface ProcessTimes {
  readonly name: string;
  /** User + system CPU seconds of the process itself. */
  readonly own: number;
  /** The same of its children that ended and were waited for. */
  readonly ended: number;
}

/** One read of /proc/<pid>/stat (Linux only); undefined when the process is gone. */
function processTimes(pid: number): ProcessTimes | undefined {
  let stat: string;
  try {
    stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name (field 2) may hold spaces; fields after it are counted from its ")".
  const close = stat.lastIndexOf(')');
  const fields = stat
    .slice(close + 2)
    .split(' ')
    .map(Number);
  const [utime = 0, stime = 0, cutime = 0, cstime = 0] = fields.slice(11, 15);
  return {
    name: stat.slice(stat.indexOf('(') + 1, close),
    own: (utime + stime) / TICKS_PER_SECOND,
    ended: (cutime + cstime) / TICKS_PER_SECOND,
  };
}

/** User + system CPU seconds the process has used so far. */
export function cpuSeconds(pid: number): number {
  const times = processTimes(pid);
  if (!times) throw new Error(`process ${pid} is gone`);
  return times.own;
}

/**
 * User + system CPU seconds used so far by every process named `postgres` on this machine (the
 * local server's backends, WAL writer, autovacuum workers…), and by those that ended: the
 * postmaster is their parent and collects their times. A backend that ends during a scan would
 * be missed or counted twice, so a scan counts only when the scans just before and after it
 * agree on the ended children (none was collected meanwhile). Zero when the database runs
 * elsewhere.
 */
export function postgresCpuSeconds(): number {
  let [before, scan] = [scanPostgres(), scanPostgres()];
  for (let attempt = 0; attempt < 10; attempt++) {
    const after = scanPostgres();
    if (before.ended === after.ended) break;
    [before, scan] = [scan, after];
  }
  return scan.own + scan.ended;
}

function scanPostgres(): { own: number; ended: number } {
  let own = 0;
  let ended = 0;
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const times = processTimes(Number(entry));
    if (times?.name !== 'postgres') continue;
    own += times.own;
    ended += times.ended;
  }
  return { own, ended };
}
