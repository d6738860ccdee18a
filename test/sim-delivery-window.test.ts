// The simulation's delivery window: the scheduler delivers every segment due within the window
// after the next one before the hosts run. It is safe because nothing sent in reply can arrive
// inside it: the deliveries the hosts see in one turn span less than the delay of any segment they
// send back, and the hosts see the clock at the window's last delivery.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { Simulation } from '../src/sim/index.js';
import { STALL_MS } from '../src/sim/faults.js';
import { EventType } from '../src/index.js';
import { refusal } from './helpers.js';
import { pingPong } from '../bench/sim-ping-pong.js';

/** Virtual time a ping-pong is given: ample; one not finished by then never would, and fails instead of hanging. */
const RUN_LIMIT_MS = 600_000;

/** The deliveries between two turns of the programs, and the shortest delay of what was sent after them. */
interface Batch {
  first: number;
  last: number;
  shortestReplyMs: number;
}

/**
 * Ping-pong between a client and an echo server over `connections` connections, every delivery and
 * every segment sent logged by virtual time; checks the clock each host sees when it wakes.
 */
async function windowedPingPong(options: {
  seed: number;
  latencyMs: [number, number];
  deliveryWindowMs?: number;
  /** Faults that hold segments back: they lengthen a delay, never shorten one. */
  faults: { stallRate: number; partitionRate: number };
  connections: number;
  roundTrips: number;
}): Promise<Batch[]> {
  const { connections, roundTrips, ...simulation } = options;
  const sim = new Simulation(simulation);
  const batches: Batch[] = [];
  let woke = true;
  let lastDelivery = 0;
  const schedule = sim.network.schedule.bind(sim.network);
  sim.network.schedule = (at, run) => {
    const batch = batches.at(-1);
    if (batch) batch.shortestReplyMs = Math.min(batch.shortestReplyMs, at - sim.now);
    schedule(at, () => {
      if (woke) batches.push({ first: at, last: at, shortestReplyMs: Infinity });
      woke = false;
      batches.at(-1)!.last = lastDelivery = at;
      run();
    });
  };
  /** Wakes with events at another time than the last delivery's: thrown from a program, they would leave the other looping. */
  const misread: string[] = [];
  const wakes = (events: number): void => {
    // A host sees every segment of a window as of its last delivery.
    if (events > 0 && sim.now !== lastDelivery) misread.push(`woke at ${sim.now} ms after a delivery at ${lastDelivery} ms`);
    woke = true;
  };
  const undone = await pingPong(sim, EventType, { connections, roundTrips, onWake: wakes }, () => sim.runUntilIdle(RUN_LIMIT_MS));
  expect({ undone, misread }).toEqual({ undone: 0, misread: [] });
  return batches;
}

test('no segment sent in reply to a window could have arrived inside it, whatever the seed, latencies, window and stalls', async () => {
  let batched = 0;
  await fc.assert(
    fc.asyncProperty(
      fc.record({
        seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        minMs: fc.double({ min: 0.25, max: 10, noNaN: true }),
        spreadMs: fc.double({ min: 0, max: 20, noNaN: true }),
        /** Undefined: the default; else a share of the shortest latency. */
        windowShare: fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: undefined }),
        faults: fc.record({ stallRate: fc.constantFrom(0, 0.05), partitionRate: fc.constantFrom(0, 0.01) }),
        connections: fc.integer({ min: 1, max: 6 }),
        roundTrips: fc.integer({ min: 5, max: 25 }),
      }),
      async ({ minMs, spreadMs, windowShare, ...rest }) => {
        const batches = await windowedPingPong({
          ...rest,
          latencyMs: [minMs, minMs + spreadMs],
          deliveryWindowMs: windowShare === undefined ? undefined : windowShare * minMs,
        });
        for (const { first, last, shortestReplyMs } of batches) expect(last - first).toBeLessThanOrEqual(shortestReplyMs);
        batched += batches.filter((b) => b.last > b.first).length;
      },
    ),
    {
      numRuns: 40,
      // A case that batches whatever the random draw, so the last check below cannot fail by chance.
      examples: [
        [
          {
            seed: 1,
            minMs: 1,
            spreadMs: 20,
            windowShare: undefined,
            faults: { stallRate: 0, partitionRate: 0 },
            connections: 6,
            roundTrips: 25,
          },
        ],
      ],
    },
  );
  // The window did batch deliveries of different times: the property was put to the test.
  expect(batched).toBeGreaterThan(0);
}, 120_000);

test('with exact arrival times every turn of the hosts sees the deliveries of one instant', async () => {
  const batches = await windowedPingPong({
    seed: 7,
    latencyMs: [1, 20],
    deliveryWindowMs: 0,
    faults: { stallRate: 0.05, partitionRate: 0 },
    connections: 6,
    roundTrips: 20,
  });
  expect(batches.length).toBeGreaterThan(100);
  for (const { first, last } of batches) expect(last).toBe(first);
});

test('the default window is the shortest delay a segment can take; a wider one is refused', () => {
  expect(new Simulation({ latencyMs: [3, 9] }).network.deliveryWindowMs).toBe(3);
  expect(new Simulation().network.deliveryWindowMs).toBe(0);
  // A stalled segment of a socket pair, which has no latency, is held STALL_MS alone.
  expect(new Simulation({ latencyMs: [2 * STALL_MS, 3 * STALL_MS], faults: { stallRate: 0.1 } }).network.deliveryWindowMs).toBe(STALL_MS);
  expect(new Simulation({ latencyMs: [3, 9], deliveryWindowMs: 2.5 }).network.deliveryWindowMs).toBe(2.5);
  for (const bad of [3.5, -1, NaN, '1', Infinity]) {
    expect(() => new Simulation({ latencyMs: [3, 9], deliveryWindowMs: bad as number })).toThrow(
      refusal('EINVAL', /deliveryWindowMs must be from 0 \(exact arrival times\) to 3/),
    );
  }
});

const MAIN = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
const cli = (...args: string[]): { code: number | null; stdout: string; stderr: string } => {
  const r = spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};

test('a failing seed of a sweep with a window of its own prints a reproduce command that names it and fails the same way', () => {
  const first = JSON.parse(
    cli(
      'sim',
      'upload',
      '--bug',
      'ignore-partial-write',
      '--seeds',
      '1',
      '--from',
      '5',
      '--workers',
      '1',
      '--delivery-window',
      '0',
      '--json',
    ).stdout,
  ) as { configHash: string; failures: { failure: string; reproduce: string }[] };
  expect(first.failures).toHaveLength(1);
  expect(first.failures[0].reproduce).toContain('--delivery-window 0');
  const again = cli(...first.failures[0].reproduce.replace(/^npx io-reactor /, '').split(' '));
  expect(again.code).toBe(1);
  expect(again.stdout).toContain(first.failures[0].failure);
  expect(again.stdout).toContain(`config ${first.configHash}`);
  const refused = cli('sim', 'upload', '--delivery-window', '2');
  expect(refused.code).toBe(2);
  expect(refused.stderr).toContain('--delivery-window must be from 0 (exact arrival times) to 1');
}, 180_000);
