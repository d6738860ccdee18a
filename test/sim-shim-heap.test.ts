// Every simulated reactor of a thread shares one shim heap (src/sim/shim-module.ts). When a new
// reactor's per-socket state does not fit, createReactor says so with ENOSPC and what to lower,
// and destroying reactors makes the room again.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const CHILD = fileURLToPath(new URL('./sim-shim-heap-child.js', import.meta.url));

test('a simulated reactor the shared shim heap cannot hold is refused with ENOSPC naming maxSockets; destroying others makes room', () => {
  const r = spawnSync(process.execPath, [CHILD], { encoding: 'utf8', timeout: 120_000 });
  expect(r.status).toBe(0);
  const out = JSON.parse(r.stdout.trim());
  expect(out.made).toBeGreaterThan(0);
  expect(out.refused).toEqual({
    code: 'ENOSPC',
    message: expect.stringMatching(/maxSockets 1048576 .*give simulated reactors the maxSockets they need/),
  });
  expect(out.events).toEqual(['reader']);
}, 120_000);
