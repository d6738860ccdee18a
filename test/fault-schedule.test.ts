// Fault schedules: every injection is identified by its kind and occasion, recorded, and a run
// given the recorded schedule (and no rates) injects exactly those faults and replays the run.
import { Simulation, STALL_MS, PARTITION_MS, type Injection } from '../src/sim/index.js';
import { Faults } from '../src/sim/faults.js';
import { scenarios } from '../src/sim/scenarios/index.js';
import { traceHash } from '../src/trace/hash.js';
import { EventType } from '../src/index.js';
import { text, str } from './helpers.js';

async function upload(options: ConstructorParameters<typeof Simulation>[0], bug?: string) {
  const sim = new Simulation({ latencyMs: [1, 20], trace: true, ...options });
  const outcome = await scenarios.upload.run(sim, { size: 3, bug });
  return { outcome, injections: sim.faultInjections(), hash: traceHash(sim.trace()), report: sim.faultReport() };
}

test('a run replayed from its recorded schedule injects the same faults and gives the same trace', async () => {
  const rated = await upload({ seed: 9, faults: { partialWriteRate: 0.1, stallRate: 0.05 } });
  expect(rated.injections.length).toBeGreaterThan(2);
  expect(new Set(rated.injections.map((i) => i.kind))).toEqual(new Set(['partialWrite', 'stall']));
  const replayed = await upload({ seed: 9, faultSchedule: rated.injections });
  expect(replayed.injections).toEqual(rated.injections);
  expect(replayed.hash).toBe(rated.hash);
  expect(replayed.report.partialWrite).toEqual({ rate: null, injected: rated.report.partialWrite.injected });
});

test('a schedule injects exactly its faults: none of another kind, none past those listed', async () => {
  const only: Injection[] = [
    { kind: 'partialWrite', occasion: 3 },
    { kind: 'partialWrite', occasion: 7 },
  ];
  const run = await upload({ seed: 9, faultSchedule: only }, 'ignore-partial-write');
  expect(run.injections).toEqual(only);
  expect(run.outcome.ok).toBe(false);
  const none = await upload({ seed: 9, faultSchedule: [] }, 'ignore-partial-write');
  expect(none).toEqual(expect.objectContaining({ outcome: { ok: true }, injections: [] }));
});

test("adding a fault kind's rate leaves the other kinds' injections where they were", () => {
  const strikes = (faults: Faults): Injection[] => {
    for (let i = 0; i < 500; i++) {
      faults.strike('partialWrite');
      faults.strike('stall');
    }
    return faults.injections().filter((i) => i.kind === 'partialWrite');
  };
  const alone = strikes(new Faults(4, { partialWriteRate: 0.1 }));
  expect(alone.length).toBeGreaterThan(20);
  expect(strikes(new Faults(4, { partialWriteRate: 0.1, stallRate: 0.5 }))).toEqual(alone);
});

test('bad schedules and rates mixed with a schedule are refused with what to do', () => {
  expect(() => new Faults(1, {}, [{ kind: 'meteor' as 'stall', occasion: 1 }])).toThrow(/a schedule entry is \{ kind, occasion \}/);
  expect(() => new Faults(1, {}, [{ kind: 'stall', occasion: -1 }])).toThrow(/occasion an integer >= 0/);
  expect(() => new Faults(1, { stallRate: 0.1 }, [])).toThrow(/either rates or a schedule, not both/);
});

test('a stall holds a segment back STALL_MS, and what was sent after it still arrives after it', async () => {
  const sim = new Simulation({ latencyMs: [5, 5], faultSchedule: [{ kind: 'stall', occasion: 0 }] });
  const server = await sim.host('server').createReactor<string>({ model: 'readiness' });
  const client = await sim.host('client').createReactor<string>({ model: 'readiness' });
  const { fd: listener } = server.os.listen(80);
  const fd = client.os.connect(80, 'server');
  await sim.runUntilIdle(10);
  const conn = server.os.accept(listener)!;
  server.add(conn, 'conn', EventType.READ);
  const sentAt = sim.now;
  client.os.send(fd, text('first '));
  client.os.send(fd, text('second'));
  let got = '';
  let arrivedAt = 0;
  const reading = (async () => {
    while (got.length < 12) {
      for (const ev of await server.waitAsync(1000))
        if (ev.type & EventType.READ) {
          got += str(server.os.recv(conn));
          arrivedAt = sim.now;
        }
    }
  })();
  await sim.runUntilIdle(sentAt + 2 * STALL_MS);
  await reading;
  expect(got).toBe('first second');
  expect(arrivedAt - sentAt).toBeGreaterThanOrEqual(STALL_MS);
  expect(sim.faultReport().stall.injected).toBe(1);
  server.destroy();
  client.destroy();
  await sim.runUntilIdle();
});

test('a one-way partition holds one direction PARTITION_MS while the other still flows', async () => {
  // Occasion 0 is the connect's handshake, occasion 1 the client's first segment.
  const sim = new Simulation({ latencyMs: [5, 5], faultSchedule: [{ kind: 'partition', occasion: 1 }] });
  const server = await sim.host('server').createReactor<string>({ model: 'readiness' });
  const client = await sim.host('client').createReactor<string>({ model: 'readiness' });
  const { fd: listener } = server.os.listen(80);
  const fd = client.os.connect(80, 'server');
  await sim.runUntilIdle(10);
  const conn = server.os.accept(listener)!;
  server.add(conn, 'server', EventType.READ);
  client.add(fd, 'client', EventType.READ);
  const sentAt = sim.now;
  client.os.send(fd, text('ping'));
  server.os.send(conn, text('pong'));
  const arrivals: Record<string, number> = {};
  const read = async (r: typeof server, sock: number) => {
    for (;;) {
      for (const ev of await r.waitAsync(1000)) {
        if (ev.type & EventType.READ) {
          arrivals[str(r.os.recv(sock))] = sim.now - sentAt;
          return;
        }
      }
    }
  };
  const both = Promise.all([read(server, conn), read(client, fd)]);
  await sim.runUntilIdle(sentAt + 2 * PARTITION_MS);
  await both;
  expect(arrivals.pong).toBe(5);
  expect(arrivals.ping).toBeGreaterThanOrEqual(PARTITION_MS);
  expect(sim.faultReport().partition.injected).toBe(1);
  server.destroy();
  client.destroy();
  await sim.runUntilIdle();
});

test('a scheduled partial read strikes exactly its occasion: that recv takes part, the next the rest', async () => {
  const sim = new Simulation({ faultSchedule: [{ kind: 'partialRead', occasion: 1 }] });
  const r = await sim.host('solo').createReactor<string>({ model: 'readiness' });
  const [a, b] = r.os.socketPair();
  const reads: string[] = [];
  for (const message of ['whole', '0123456789']) {
    r.os.send(b, text(message));
    for (let got = 0; got < message.length; ) {
      reads.push(str(r.os.recv(a)));
      got += reads[reads.length - 1].length;
    }
  }
  expect(reads[0]).toBe('whole');
  expect(reads.length).toBe(3);
  expect(reads[1] + reads[2]).toBe('0123456789');
  expect(sim.faultInjections()).toEqual([{ kind: 'partialRead', occasion: 1 }]);
  r.destroy();
  await sim.runUntilIdle();
});
