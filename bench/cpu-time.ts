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
 * local server's backends, WAL writer, checkpointer…), and by those that ended: the postmaster
 * is their parent and collects their times. Zero when the database runs elsewhere.
 */
export function postgresCpuSeconds(): number {
  let total = 0;
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')) !== 'postgres') continue;
      total += cpuSeconds(Number(entry), true);
    } catch {
      // The process ended between the listing and the read.
    }
  }
  return total;
}
