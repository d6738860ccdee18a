// The simulated completion port under the IOCP shim (native/win/iocp.c built by emscripten): Windows
// semantics reach the app as Windows would deliver them, with Win32 codes in `osCode`. What it shares
// with the simulated io_uring is in sim-completion.test.ts.
import { Reactor, EventType, SimulationDeadlock, type ReactorOptions } from '../src/index.js';
import { simBackend } from '../src/sim/backend.js';
import { openReactorOn } from '../src/reactor.js';
import { SimKernel } from '../src/sim/kernel.js';
import { SimNetwork } from '../src/sim/network.js';
import { CompletionPort } from '../src/sim/iocp.js';
import { WIN32 } from '../src/seam.js';
import type { WindowsFlavor } from '../src/sim/windows-flavor.js';
import { Simulation } from '../src/sim/index.js';
import { text, str, refusal, reactor, adopt, destroyAll, summary, waitRounds } from './helpers.js';

const { READ, WRITE, CLOSE, ACCEPT, ERROR } = EventType;
const IOCP = { model: 'completion', mechanism: 'iocp' } as const;

function iocp(options: Omit<ReactorOptions, 'model' | 'mechanism' | 'backend'> = {}): Promise<Reactor<string>> {
  return reactor<string>({ ...IOCP, backend: 'sim', ...options });
}
/** A reactor over a kernel the test holds, to act on its sockets behind the reactor's back. */
async function onKernel(windowsFlavor?: WindowsFlavor): Promise<[Reactor<string>, SimKernel]> {
  const kernel = new SimKernel(new SimNetwork(), 'localhost', { windowsFlavor });
  return [adopt(await openReactorOn<string>(simBackend(kernel), IOCP)), kernel];
}
afterEach(destroyAll);

describe('completion statuses', () => {
  test('a FIN completes the pending read with 0 bytes: CLOSE without an error', async () => {
    const r = await iocp();
    const [a, b] = r.os.socketPair();
    r.add(a, 'reader', READ);
    expect(r.wait(0)).toEqual([]);
    r.os.shutdown(b);
    expect(summary(r.wait(100))).toEqual([['reader', CLOSE, 0, undefined]]);
  });

  test.each([
    ['windows', 995],
    ['wine', 676],
  ] as [WindowsFlavor, number][])("a local close under a pending read: CLOSE, with %s's status %d", async (flavor, status) => {
    const [r, kernel] = await onKernel(flavor);
    const [a] = r.os.socketPair();
    r.add(a, 'reader', READ);
    expect(r.wait(0)).toEqual([]);
    kernel.close(a); // another part of the program closes the socket, not through the reactor
    const events = r.wait(100);
    expect(summary(events)).toEqual([['reader', CLOSE, 0, status]]);
    expect(events[0].error?.code).toBe('ECANCELED');
  });

  test.each([
    ['windows', 995],
    ['wine', 676],
  ] as [WindowsFlavor, number][])(
    'new Simulation({ windowsFlavor: %s }): another reactor on the host closing the socket ends the pending read with %d',
    async (windowsFlavor, status) => {
      const host = new Simulation({ windowsFlavor }).host('app');
      const reader = adopt(await host.createReactor<string>(IOCP));
      const closer = adopt(await host.createReactor<string>({ model: 'readiness' }));
      const [a] = reader.os.socketPair();
      reader.add(a, 'reader', READ);
      expect(reader.wait(0)).toEqual([]);
      closer.os.close(a);
      const events = reader.wait(100);
      expect(summary(events)).toEqual([['reader', CLOSE, 0, status]]);
      expect(events[0].error?.code).toBe('ECANCELED');
    },
  );

  test('windowsFlavor is checked, and belongs to the Simulation: elsewhere it is refused with where it goes', async () => {
    expect(() => new Simulation({ windowsFlavor: 'linux' as WindowsFlavor })).toThrow(
      refusal('EINVAL', /windowsFlavor must be 'windows'.*or 'wine'.*"linux"/),
    );
    await expect(Reactor.create({ ...IOCP, backend: 'sim', windowsFlavor: 'wine' } as ReactorOptions)).rejects.toEqual(
      refusal('EINVAL', /new Simulation\(\{ windowsFlavor \}\)/),
    );
    const host = new Simulation().host('app');
    expect(() => host.createReactor({ ...IOCP, windowsFlavor: 'wine' } as object)).toThrow(
      refusal('EINVAL', /windowsFlavor belong to the Simulation/),
    );
  });

  test('AcceptEx completes with the accepted socket, ready to use', async () => {
    const r = await iocp();
    const { fd: listener, port } = r.os.listen(0);
    r.add(listener, 'listener', READ);
    const client = r.os.connect(port);
    const [accepted] = r.wait(100);
    expect([accepted.context, accepted.type, accepted.error]).toEqual(['listener', ACCEPT, undefined]);
    r.add(accepted.acceptedFd!, 'conn', READ);
    r.os.send(client, text('hello'));
    expect(r.wait(100).map((e) => [e.context, e.type, str(e.buffer)])).toEqual([['conn', READ, 'hello']]);
  });

  test("a connection aborted before AcceptEx took it (1236) is not the listener's failure: the accept stays posted", async () => {
    const r = await iocp({ faults: { acceptAbortRate: 1 } });
    const { fd: listener, port } = r.os.listen(0);
    r.add(listener, 'listener', READ);
    expect(r.wait(0)).toEqual([]);
    const accepts = r.stats().poolInUse;
    r.os.connect(port);
    r.os.connect(port);
    expect(r.wait(100)).toEqual([]);
    expect(r.faultReport()!.acceptAbort.injected).toBe(2);
    expect(r.stats().poolInUse).toBe(accepts); // each aborted accept was posted again
  });
});

describe('cancellation', () => {
  test('remove cancels the armed read (its zero-byte receive): no event, and no context was ever taken', async () => {
    const r = await iocp();
    const [a, b] = r.os.socketPair();
    r.add(a, 'reader', READ);
    expect(r.wait(0)).toEqual([]);
    expect(r.stats().poolInUse).toBe(0);
    r.remove(a);
    r.os.send(b, text('after remove'));
    expect(r.wait(0)).toEqual([]);
    expect(r.stats().poolInUse).toBe(0);
  });

  test('a cancel confirmed (995) does not end a wait early: the wait runs its full timeout', async () => {
    const r = await iocp();
    const [a] = r.os.socketPair();
    r.add(a, 'reader', READ);
    expect(r.wait(0)).toEqual([]);
    r.remove(a);
    const start = r.now();
    expect(r.wait(50)).toEqual([]);
    expect(r.now() - start).toBe(50);
    expect(r.stats().poolInUse).toBe(0);
  });

  test('a read whose data came before remove: no event, no context taken, the bytes stay for the app', async () => {
    const r = await iocp();
    const [a, b] = r.os.socketPair();
    r.add(a, 'reader', READ);
    expect(r.wait(0)).toEqual([]);
    r.os.send(b, text('completed, never delivered')); // the port queues the zero-byte receive's completion now
    r.remove(a);
    expect(r.wait(0)).toEqual([]);
    expect(r.stats().poolInUse).toBe(0);
    expect(str(r.os.recv(a))).toBe('completed, never delivered');
  });

  test('a connection accepted for a listener removed before the wait is closed, not leaked', async () => {
    const [r, kernel] = await onKernel();
    const { fd: listener, port } = r.os.listen(0);
    r.add(listener, 'listener', READ);
    expect(r.wait(0)).toEqual([]);
    const files = kernel.openFiles;
    const client = r.os.connect(port); // a posted AcceptEx takes it at once
    expect(kernel.openFiles).toBe(files + 2);
    r.remove(listener);
    expect(r.wait(0)).toEqual([]);
    expect(r.wait(0)).toEqual([]);
    expect(kernel.openFiles).toBe(files + 1);
    expect(r.os.recv(client)).toEqual(new Uint8Array(0)); // the client reads end of stream
    expect(r.stats().poolInUse).toBe(0);
  });

  test('os.close of a registered socket with a write queued behind one in flight: every context comes back', async () => {
    const r = await iocp({ bufferSize: 1024 });
    const [a, b] = r.os.socketPair();
    r.add(a, 'writer', 0);
    // The peer never reads: 64 KiB fill its buffer, and the write after waits behind.
    r.postWrite(a, new Uint8Array(80 * 1024));
    r.postWrite(a, text('queued'));
    expect(r.wait(10)).toEqual([]);
    expect(r.stats().poolInUse).toBeGreaterThan(1);
    r.os.close(a);
    expect(r.wait(10)).toEqual([]);
    expect(r.stats().poolInUse).toBe(0);
    expect(r.os.recv(b, 1 << 20)!.length).toBeGreaterThan(0);
  });
});

describe('association', () => {
  test('an fd removed from one reactor and added to another is refused there (ERROR, EINVAL, 87); the first can take it back', async () => {
    const kernel = new SimKernel(new SimNetwork(), 'localhost');
    const first = adopt(await openReactorOn<string>(simBackend(kernel), IOCP));
    const second = adopt(await openReactorOn<string>(simBackend(kernel), IOCP));
    const [a, b] = first.os.socketPair();
    first.add(a, 'first', READ);
    expect(first.wait(0)).toEqual([]);
    first.remove(a);
    expect(first.wait(0)).toEqual([]);
    second.add(a, 'second', READ);
    const refused = second.wait(0);
    // The add fails, and so does the read it posted: nothing is watched.
    expect(summary(refused)[0]).toEqual(['second', ERROR, 0, 87]);
    expect(refused[0].error?.code).toBe('EINVAL');
    expect(refused.map((e) => e.type)).toEqual([ERROR, ERROR]);
    second.remove(a);
    first.add(a, 'again', READ);
    first.os.send(b, text('back'));
    expect(waitRounds(first, (all) => all.length > 0).map((e) => [e.context, e.type, str(e.buffer)])).toEqual([['again', READ, 'back']]);
  });
});

describe('sends', () => {
  test("a send larger than the peer's buffer completes only once the peer has read enough", async () => {
    const r = await iocp({ bufferSize: 16 * 1024 });
    const [a, b] = r.os.socketPair();
    r.add(a, 'writer', 0);
    r.postWrite(a, new Uint8Array(100 * 1024).fill(7));
    expect(r.wait(10)).toEqual([]);
    let got = r.os.recv(b, 1 << 20)!.length;
    const writes = waitRounds(r, (all) => {
      got += r.os.recv(b, 1 << 20)?.length ?? 0;
      return all.length > 0;
    });
    got += r.os.recv(b, 1 << 20)?.length ?? 0;
    expect(summary(writes)).toEqual([['writer', WRITE, 100 * 1024, undefined]]);
    expect(got).toBe(100 * 1024);
  });
});

describe('two hosts over IOCP', () => {
  /** An echo over two simulated hosts, both IOCP, with partial writes; what the client got back. */
  async function echo(seed: number, data: Uint8Array): Promise<Uint8Array> {
    const sim = new Simulation({ seed, latencyMs: [1, 20], faults: { partialWriteRate: 0.5 } });
    const server = adopt(await sim.host('server').createReactor<string>(IOCP));
    const client = adopt(await sim.host('client').createReactor<string>(IOCP));
    const { fd: listener } = server.os.listen(7000);
    server.add(listener, 'listener', READ);
    let done = false;
    const serving = (async () => {
      // Until the client has everything: the last echo is handed to the port by a later wait.
      while (!done) {
        for (const e of await server.waitAsync(1000)) {
          if (e.type & ACCEPT) server.add(e.acceptedFd!, 'conn', READ);
          if (e.context !== 'conn' || !(e.type & READ)) continue;
          server.postWrite(e.fd, e.buffer!.slice());
          server.postRead(e.fd);
        }
      }
    })();
    const fd = client.os.connect(7000, 'server');
    client.add(fd, 'client', READ);
    client.postWrite(fd, data);
    const back: Uint8Array[] = [];
    const talking = (async () => {
      for (let got = 0; got < data.length; ) {
        for (const e of await client.waitAsync(1000)) {
          if (!(e.type & READ)) continue;
          back.push(e.buffer!.slice());
          got += e.bytesTransferred;
          client.postRead(fd);
        }
      }
      done = true;
    })();
    await sim.runUntilIdle(60_000);
    // Bytes lost leave the loops waiting for ever: then the comparison shows what came back.
    if (done) await Promise.all([serving, talking]);
    expect(sim.faultReport().partialWrite.injected).toBeGreaterThan(0);
    return Buffer.concat(back);
  }

  test('with sends cut short at random, every byte comes back whole and in order, for every seed', async () => {
    const data = new Uint8Array(20_000).map((_, i) => (i * 7) % 256);
    for (let seed = 0; seed < 5; seed++) {
      const back = await echo(seed, data);
      expect([seed, back.length, Buffer.from(back).equals(Buffer.from(data))]).toEqual([seed, data.length, true]);
    }
  });
});

describe('GetQueuedCompletionStatusEx', () => {
  test('completions are delivered in the order they completed, not the order posted', async () => {
    const r = await iocp();
    const sockets = ['x', 'y', 'z'].map((name) => {
      const [a, b] = r.os.socketPair();
      r.add(a, name, READ);
      return b;
    });
    expect(r.wait(0)).toEqual([]);
    for (const i of [2, 0, 1]) r.os.send(sockets[i], text(`to ${i}`));
    expect(r.wait(0).map((e) => [e.context, str(e.buffer)])).toEqual([
      ['z', 'to 2'],
      ['x', 'to 0'],
      ['y', 'to 1'],
    ]);
  });

  test('more completions than one batch holds arrive over the next waits, none lost', async () => {
    const count = 600;
    const r = await iocp({ poolSize: count });
    const peers = Array.from({ length: count }, (_, i) => {
      const [a, b] = r.os.socketPair();
      r.add(a, `s${i}`, READ);
      return b;
    });
    expect(r.wait(0)).toEqual([]);
    peers.forEach((b, i) => r.os.send(b, text(`m${i}`)));
    const seen: string[] = [];
    for (let round = 0; round < 5 && seen.length < count; round++) {
      for (const e of r.wait(0, 8192)) seen.push(`${e.context}=${str(e.buffer)}`);
    }
    expect(seen).toEqual(peers.map((_, i) => `s${i}=m${i}`));
  });

  test('a wakeup ends a long wait at once, in virtual time too', async () => {
    const r = await iocp();
    const [a] = r.os.socketPair();
    r.add(a, 'reader', READ);
    r.wakeup();
    const start = r.now();
    expect(r.wait(10_000)).toEqual([]);
    expect(r.now()).toBe(start);
  });

  test("1000 wakeups with no wait running end at most one later wait early: they merge, as an eventfd's do", async () => {
    const r = await iocp();
    for (let i = 0; i < 1000; i++) r.wakeup();
    let early = 0;
    for (let i = 0; i < 10; i++) {
      const start = r.now();
      r.wait(20);
      if (r.now() - start < 20) early++;
    }
    expect(early).toBe(1);
  });

  test('under a Simulation, a wakeup ends a parked waitAsync over IOCP', async () => {
    const sim = new Simulation({ seed: 1 });
    const r = adopt(await sim.host('h').createReactor<string>(IOCP));
    const [a] = r.os.socketPair();
    r.add(a, 'reader', READ);
    const waiting = r.waitAsync(10_000);
    r.wakeup();
    await sim.runUntilIdle();
    expect(await waiting).toEqual([]);
    expect(sim.now).toBe(0);
  });

  test('a wait without timeout that nothing can end is a SimulationDeadlock', async () => {
    const r = await iocp();
    const [a] = r.os.socketPair();
    r.add(a, 'reader', READ);
    expect(() => r.wait(null)).toThrow(SimulationDeadlock);
  });
});

describe('stdin (a host console) on a completion port', () => {
  // The port's own calls (native/win/os_iocp.h), as native/win/iocp.c makes them for fd 0 (stream = 1).
  const setup = (): [SimKernel, CompletionPort, Uint8Array] => {
    const kernel = new SimKernel(new SimNetwork(), 'localhost');
    const memory = new Uint8Array(64);
    return [kernel, new CompletionPort(kernel, memory, 4), memory];
  };

  test("served as the Windows shim's stdin reader: associating again is no error, one read at a time, EOF a 0-byte completion", () => {
    const [kernel, port, memory] = setup();
    expect([port.associate(0, true), port.associate(0, true)]).toEqual([0, 0]);
    expect(port.recv(0, 0, 16, 1)).toBe(0);
    expect(port.recv(0, 16, 16, 2)).toBe(WIN32.ERROR_INVALID_PARAMETER);
    kernel.console.write('dir\n');
    expect(port.wait(4, 100)).toEqual([{ op: 1, bytes: 4, error: 0, accepted: -1 }]);
    expect(str(memory.subarray(0, 4))).toBe('dir\n');
    expect(port.recv(0, 0, 16, 1)).toBe(0);
    kernel.console.end();
    expect(port.wait(4, 100)).toEqual([{ op: 1, bytes: 0, error: 0, accepted: -1 }]);
  });

  test('a socket, unlike stdin, cannot be associated twice (ERROR_INVALID_PARAMETER)', () => {
    const [kernel, port] = setup();
    const [a] = kernel.socketPair();
    expect([port.associate(a), port.associate(a)]).toEqual([0, WIN32.ERROR_INVALID_PARAMETER]);
  });

  test('removing stdin cancels its pending read with 995; what is typed later waits for the next read', () => {
    const [kernel, port, memory] = setup();
    port.associate(0, true);
    port.recv(0, 0, 16, 1);
    expect(port.dissociate(0)).toBe(0);
    expect(port.wait(4, 0)).toEqual([{ op: 1, bytes: 0, error: WIN32.ERROR_OPERATION_ABORTED, accepted: -1 }]);
    kernel.console.write('kept');
    expect(port.wait(4, 10)).toEqual([]);
    port.associate(0, true);
    port.recv(0, 0, 16, 2);
    expect(port.wait(4, 0)).toEqual([{ op: 2, bytes: 4, error: 0, accepted: -1 }]);
    expect(str(memory.subarray(0, 4))).toBe('kept');
  });
});
