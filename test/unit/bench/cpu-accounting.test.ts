// bench/kit.ts's CPU accounting from /proc: processes by name, with the CPU of their ended children, and the whole machine.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { machineBusyCpuMs, processesCpuMs } from '../../../bench/kit.js';

// A parent named kycgateprobe-p spins 300 ms of CPU itself, then runs a child named kycgateprobe-c that spins 400 ms and
// exits; the parent waits for it (so the child's CPU moves to the parent's cutime) and then idles until stdin closes.
// (spinning on its own CPU time, so a busy machine only makes it take longer)
const spin = (name: string, ms: number) =>
  `process.title = ${JSON.stringify(name)}; for (const c0 = process.cpuUsage(); ; ) { const c = process.cpuUsage(c0); if (c.user + c.system >= ${ms * 1000}) break; }`;
const PARENT = `
${spin('kycgateprobe-p', 300)}
require('node:child_process').spawnSync(process.execPath, ['-e', ${JSON.stringify(spin('kycgateprobe-c', 400))}]);
console.log('DONE');
process.stdin.resume();
`;

test('processesCpuMs counts a named process and the children it reaped; machineBusyCpuMs the CPU used meanwhile', async () => {
  const before = { probe: processesCpuMs('kycgateprobe'), machine: machineBusyCpuMs() };
  assert.equal(before.probe, 0, 'no probe runs yet');
  const parent = spawn(process.execPath, ['-e', PARENT], { stdio: ['pipe', 'pipe', 'inherit'] });
  try {
    const [line] = (await once(createInterface({ input: parent.stdout! }), 'line')) as [string];
    assert.equal(line, 'DONE');
    const probe = processesCpuMs('kycgateprobe');
    // 300 ms of the parent's own and 400 ms of its ended child's (10 ms ticks; node's start-up adds some)
    assert.ok(probe >= 600 && probe < 3000, `probe ${probe} ms`);
    assert.ok(processesCpuMs('kycgateprobe-c') === 0, 'the child has ended: it is counted in its parent only');
    const parentOnly = processesCpuMs('kycgateprobe-p');
    assert.equal(parentOnly, probe);
    const machine = machineBusyCpuMs() - before.machine;
    assert.ok(machine >= probe - 50, `machine ${machine} ms, probe ${probe} ms`);
  } finally {
    parent.kill();
  }
});
