// Run by sim-shim-heap.test.ts in a process of its own (it fills this thread's simulated shim
// heap, which never shrinks): simulated reactors with the largest maxSockets until one is
// refused, then the same after destroying the others. Prints one JSON line.
import { Simulation } from '../src/sim/index.js';
import { ReactorError } from '../src/errors.js';
import { MAX_SOCKETS_LIMIT } from '../src/limits.js';
import { EventType, type Reactor } from '../src/index.js';

const sim = new Simulation({ seed: 1 });
const big = { maxSockets: MAX_SOCKETS_LIMIT, poolSize: 4 };
const made: Reactor[] = [];
let refused: { code: string; message: string } | null = null;
// Bounded: 2 GiB of wasm heap holds well under this many.
while (made.length < 200 && refused === null) {
  try {
    made.push(await sim.host(`h${made.length}`).createReactor(big));
  } catch (e) {
    if (!(e instanceof ReactorError)) throw e;
    refused = { code: e.code, message: e.message };
  }
}
for (const r of made) r.destroy();
// The room is back: a reactor of the same sizes opens and delivers an event.
const again = await sim.host('again').createReactor<string>(big);
const [reader, writer] = again.os.socketPair();
again.add(reader, 'reader', EventType.READ);
again.os.send(writer, new Uint8Array([1]));
const wait = again.waitAsync(1000);
await sim.runUntilIdle();
const events = (await wait).map((e) => e.context);
again.destroy();
process.stdout.write(`${JSON.stringify({ made: made.length, refused, events })}\n`);
