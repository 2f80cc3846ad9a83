import fs from 'node:fs';

// /proc/<pid>/stat counts in clock ticks; Linux reports USER_HZ = 100 to user space.
const TICKS_PER_SECOND = 100;

/** User + system CPU seconds the process has used so far (Linux only). */
export function cpuSeconds(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may hold spaces; fields after it are counted from its ")".
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return (utime + stime) / TICKS_PER_SECOND;
}
