// Simulated reactors reuse the cores of destroyed ones (src/sim/core-pool.ts). A reactor destroyed
// while its waitAsync is pending keeps its core until that wait has ended: the wait's end touches
// the core, and must not land in the state of the reactor that takes the core next.
import { EventType } from '../src/index.js';
import { Simulation } from '../src/sim/index.js';
import { text, str } from './helpers.js';

test('a reactor destroyed during its waitAsync keeps its core until the wait has ended', async () => {
  const sim = new Simulation({ seed: 1 });
  const old = await sim.host('a').createReactor<string>();
  const [watched] = old.os.socketPair();
  old.add(watched, 'old', EventType.READ);
  const oldWait = old.waitAsync(1000); // hands the add to the shim, then parks
  old.destroy();

  const next = await sim.host('b').createReactor<string>();
  const [reader, writer] = next.os.socketPair();
  next.add(reader, 'next', EventType.READ); // queued until next's first wait
  await sim.runUntilIdle();
  expect(await oldWait).toEqual([]);

  next.os.send(writer, text('hello'));
  const nextWait = next.waitAsync(1000);
  await sim.runUntilIdle();
  const events = await nextWait;
  expect(events.map((e) => e.context)).toEqual(['next']);
  expect(str(next.os.recv(reader))).toBe('hello');
  next.destroy();
});
