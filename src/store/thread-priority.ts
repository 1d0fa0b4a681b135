// Lowers the CPU priority of the calling thread alone (Linux keeps a nice value per thread), for background threads.
import { readlinkSync } from 'node:fs';
import os from 'node:os';

/**
 * Sets the calling thread's nice value to `nice` (0–19; higher yields more). On Linux the nice value belongs to the
 * thread, and `/proc/thread-self` names its id, so the rest of the process keeps its priority. Lowering needs no
 * privilege. Returns the value now in force, or `undefined` where it cannot be set (no `/proc`, another OS, refused).
 */
export function lowerThreadPriority(nice: number): number | undefined {
  try {
    // '<pid>/task/<tid>'
    const link = readlinkSync('/proc/thread-self');
    const tid = Number(link.slice(link.lastIndexOf('/') + 1));
    if (!Number.isInteger(tid) || tid <= 0) return undefined;
    os.setPriority(tid, nice);
    return os.getPriority(tid);
  } catch {
    return undefined;
  }
}
