// Test helper: the nice value of each thread of this process, read from /proc (Linux).
import { readdirSync, readFileSync } from 'node:fs';

/** Thread id → nice value (field 19 of /proc/self/task/<tid>/stat); a thread that ends while it is read is left out. */
export function threadNices(): Map<number, number> {
  const out = new Map<number, number>();
  for (const tid of readdirSync('/proc/self/task')) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw err;
    }
    // after "pid (comm) ": field 3 (state) is index 0, so field 19 is index 16
    out.set(Number(tid), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]));
  }
  return out;
}
