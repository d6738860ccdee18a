// The oracle: each invariant holds on clean runs with faults, and fires, naming seed, time and
// fd, when a kernel, a shim or the reactor is made to misbehave on purpose.
import { EventType, type Reactor, type ReactorStats } from '../src/index.js';
import { Simulation, InvariantViolation, INVARIANTS } from '../src/sim/index.js';
import { simBackend } from '../src/sim/backend.js';
import { E, type SimKernel } from '../src/sim/kernel.js';
import { ENTRY_INTS } from '../src/seam.js';
import { ReactorTap } from '../src/trace/tap.js';
import type { ObservedCall } from '../src/reactor-observer.js';
import { text, refusal } from './helpers.js';
import { runEcho, FAULTS } from './trace-run.js';

const ECANCELED = 125;

const violation = (invariant: string, detail: RegExp) =>
  expect.objectContaining({
    name: 'InvariantViolation',
    invariant,
    message: expect.stringMatching(detail),
  });

/** Replaces kernel.read for this kernel only (the shim and os.recv both read through it). */
function misread(
  kernel: SimKernel,
  read: (real: SimKernel['read'], fd: number, into: Uint8Array, offset: number, len: number) => number,
): void {
  const real = kernel.read.bind(kernel);
  kernel.read = (fd, into, offset, len) => read(real, fd, into, offset, len);
}

// Bugs planted beneath the trace tap the oracle reads: the tap records the app's call, then the
// bug runs in place of the reactor's own body.
const planted = new WeakMap<ReactorTap, { name: ObservedCall; bug: () => unknown }>();
const tapCall = ReactorTap.prototype.call;
ReactorTap.prototype.call = function <T>(this: ReactorTap, op: ObservedCall, args: readonly unknown[], run: () => T): T {
  const p = planted.get(this);
  return tapCall.call(this, op, args, p?.name === op ? (p.bug as () => T) : run) as T;
};

/** Makes `name` misbehave for reactors created inside `during`. */
async function withPlantedBug(name: 'add' | 'remove', bug: () => unknown, during: () => Promise<void>): Promise<void> {
  const tapShim = ReactorTap.prototype.shim;
  ReactorTap.prototype.shim = function (this: ReactorTap, inner) {
    planted.set(this, { name, bug });
    return tapShim.call(this, inner);
  };
  try {
    await during();
  } finally {
    ReactorTap.prototype.shim = tapShim;
  }
}

test('a sweep of seeds with faults keeps every invariant', async () => {
  for (const seed of [1, 2, 3, 4]) {
    const sim = new Simulation({ seed, latencyMs: [1, 20], faults: FAULTS, oracle: true, trace: true });
    await runEcho(sim, 5);
    expect(() => sim.checkInvariants()).not.toThrow();
    // The oracle had bytes to check: the apps exchanged data.
    expect(sim.trace().records.some((x) => x.k === 'result' && x.data !== undefined)).toBe(true);
  }
});

test('bytes corrupted by the kernel are caught where the app reads them, with seed, time and fd', async () => {
  const sim = new Simulation({ seed: 7, latencyMs: [1, 20], oracle: true });
  misread(sim.host('server').kernel, (real, fd, into, offset, len) => {
    const n = real(fd, into, offset, len);
    if (n > 3) into[offset + 3] ^= 0x20;
    return n;
  });
  const run = runEcho(sim);
  await expect(run).rejects.toThrow(InvariantViolation);
  await expect(run).rejects.toEqual(
    violation(INVARIANTS.bytes, /seed 7, t=[\d.]+ ms, host server fd \d+ \(os\.recv\)\): byte 3 of the stream/),
  );
});

test('bytes duplicated under a completion read are caught at the event', async () => {
  const sim = new Simulation({ seed: 8, latencyMs: [1, 20], oracle: true });
  let last: Uint8Array | null = null;
  misread(sim.host('a').kernel, (real, fd, into, offset, len) => {
    if (last) {
      into.set(last, offset);
      const n = last.length;
      last = null;
      return n;
    }
    const n = real(fd, into, offset, len);
    if (n > 0) last = into.slice(offset, offset + n);
    return n;
  });
  await expect(runEcho(sim)).rejects.toEqual(
    violation(INVARIANTS.bytes, /host a reactor 1 \(completion\) fd \d+\): .*(duplicated|beyond)/),
  );
});

test('an end of stream before all bytes arrived is caught as loss', async () => {
  const sim = new Simulation({ seed: 9, latencyMs: [1, 20], oracle: true });
  let reads = 0;
  misread(sim.host('server').kernel, (real, fd, into, offset, len) => (++reads === 2 ? 0 : real(fd, into, offset, len)));
  await expect(runEcho(sim)).rejects.toEqual(violation(INVARIANTS.bytes, /ended cleanly .* never delivered: lost/));
});

test('an event for a removed fd is caught (a planted remove that leaves the fd registered)', async () => {
  const sim = new Simulation({ seed: 10, oracle: true });
  let r!: Reactor<string>;
  await withPlantedBug(
    'remove',
    () => true,
    async () => {
      r = await sim.host('h').createReactor<string>();
    },
  );
  const [a, b] = r.os.socketPair();
  r.add(a, 'a', EventType.READ);
  expect(r.remove(a)).toBe(true);
  r.os.send(b, text('late'));
  expect(() => r.wait(10)).toThrow(
    violation(INVARIANTS.removed, /seed 10, t=[\d.]+ ms, host h reactor 0 \(readiness\) fd \d+\): an event/),
  );
  expect(() => sim.checkInvariants()).toThrow(InvariantViolation);
});

test('stats() that disagree with the calls are caught (a planted add that registers nothing)', async () => {
  const sim = new Simulation({ seed: 11, oracle: true });
  let r!: Reactor<string>;
  await withPlantedBug(
    'add',
    () => undefined,
    async () => {
      r = await sim.host('h').createReactor<string>();
    },
  );
  const [a] = r.os.socketPair();
  r.add(a, 'a', EventType.READ);
  expect(() => r.wait(10)).toThrow(violation(INVARIANTS.stats, /stats\(\)\.registered is 0, but the app has 1 fds registered \(\d+\)/));
});

test('contexts a shim never gives back after remove are caught as a leak when the app is quiet', async () => {
  const sim = new Simulation({ seed: 12, oracle: true });
  const host = sim.host('h');
  // A shim that loses the cancellations remove causes: their contexts never come back.
  const backend = simBackend(host.kernel);
  const createShim = backend.createShim.bind(backend);
  backend.createShim = async (memory, layout) => {
    const shim = await createShim(memory, layout);
    const i32 = new Int32Array(memory);
    const cycle = shim.cycle.bind(shim);
    shim.cycle = (requests, timeoutMs) => {
      const n = cycle(requests, timeoutMs);
      const at = layout.resultsAt >> 2;
      const kept = Array.from({ length: n }, (_, i) => i32.slice(at + i * ENTRY_INTS, at + (i + 1) * ENTRY_INTS)).filter(
        (x) => x[4] !== ECANCELED,
      );
      kept.forEach((x, i) => i32.set(x, at + i * ENTRY_INTS));
      return kept.length;
    };
    return shim;
  };
  const r = await host.createReactorOn<string>(backend, { model: 'completion', poolSize: 16 });
  // A listener's posted accept holds a context (a read holds none until data comes).
  const { fd: listener } = r.os.listen(0);
  r.add(listener, 'listener', EventType.READ);
  r.wait(0);
  r.remove(listener);
  r.wait(0);
  expect((r.stats() as ReactorStats).poolInUse).toBe(1);
  expect(() => sim.checkInvariants()).toThrow(
    violation(INVARIANTS.pool, /host h reactor 0 \(completion\)\): 1 contexts in use, 0 accounted for .*: 1 leaked/),
  );
});

test('a posted read holds no context; a delivered buffer is held until the next wait; after remove the pool is back to none', async () => {
  const sim = new Simulation({ seed: 13, oracle: true });
  const r = await sim.host('h').createReactor<string>({ model: 'completion' });
  const [a, b] = r.os.socketPair();
  r.add(a, 'a', EventType.READ);
  r.wait(0);
  expect(r.stats().poolInUse).toBe(0);
  expect(() => sim.checkInvariants()).not.toThrow();
  r.os.send(b, text('x'));
  expect(r.wait(10)).toHaveLength(1);
  expect(() => sim.checkInvariants()).not.toThrow(); // the delivered buffer is held until the next wait
  r.remove(a);
  r.wait(0);
  expect(r.stats().poolInUse).toBe(0);
  expect(() => sim.checkInvariants()).not.toThrow();
});

test('a write that fails after some of its bytes left is a write event, not bytes received (completion)', async () => {
  const sim = new Simulation({ seed: 14, oracle: true });
  const r = await sim.host('h').createReactor<string>({ model: 'completion' });
  const [a] = r.os.socketPair();
  // The kernel takes 6 bytes, then the peer is gone: the shim reports the 6 with EPIPE.
  const kernel = sim.host('h').kernel;
  const write = kernel.write.bind(kernel);
  let writes = 0;
  kernel.write = (fd, from) => (fd !== a ? write(fd, from) : ++writes === 1 ? write(fd, from.subarray(0, 6)) : -E.EPIPE);
  r.add(a, 'a', EventType.READ);
  r.postWrite(a, text('0123456789'));
  let events: ReturnType<typeof r.wait> = [];
  for (let i = 0; i < 5 && events.length === 0; i++) events = r.wait(10);
  expect(events).toEqual([
    expect.objectContaining({
      fd: a,
      type: EventType.CLOSE,
      bytesTransferred: 6,
      buffer: null,
      error: expect.objectContaining({ code: 'EPIPE' }),
    }),
  ]);
  expect(() => sim.checkInvariants()).not.toThrow();
});

test('the oracle option and checkInvariants are checked', () => {
  expect(() => new Simulation({ oracle: 'yes' as never })).toThrow(refusal('EINVAL', /oracle must be true or false/));
  expect(() => new Simulation({ seed: 1 }).checkInvariants()).toThrow(refusal('EINVAL', /oracle: true/));
});

test('a write posted after the last wait is no leak: the pool is counted again from the next wait', async () => {
  // The sweep's echo seed 74 (completion/epoll): the server's program ended right after a postWrite.
  const sim = new Simulation({ seed: 15, latencyMs: [1, 5], oracle: true });
  const r = await sim.host('a').createReactor<string>({ model: 'completion' });
  const [x, y] = r.os.socketPair();
  r.add(x, 'x', EventType.READ);
  expect(r.wait(0)).toEqual([]);
  r.postWrite(x, text('posted, not yet handed to the shim'));
  expect(r.stats().poolInUse).toBeGreaterThan(0);
  expect(() => sim.checkInvariants()).not.toThrow();
  expect(r.wait(0).map((ev) => ev.type)).toEqual([EventType.WRITE]);
  expect(() => sim.checkInvariants()).not.toThrow();
  r.os.close(y);
  r.destroy();
});
