// reactor.os moves bytes exactly: every recv is the caller's own copy (natively they pass through
// one staging buffer shared by all calls), recvInto fills just the caller's buffer (natively lent
// to the addon, as a large send's buffer is), and sends of any size, from any offset of any
// buffer, arrive as they were.
import { Worker } from 'node:worker_threads';
import { reactor, destroyAll, pair, closeOwned, recvAll, type Backend } from './helpers.js';

// Tests run compiled from build/js/test; the fixture stays in test/fixtures.
const BYTES_WORKER = new URL('../../../test/fixtures/bytes-worker.mjs', import.meta.url);

afterEach(() => {
  destroyAll();
  closeOwned();
});

/** `length` bytes that differ from those of any other `seed`. */
function pattern(length: number, seed: number): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => (i * 7 + seed * 13) & 0xff);
}

/** Sends all of `data`, waiting for room when the kernel takes only part of it. */
function sendAll(r: Awaited<ReturnType<typeof reactor>>, fd: number, data: Uint8Array): void {
  let sent = 0;
  const end = Date.now() + 2000;
  while (sent < data.length && Date.now() < end) {
    const taken = r.os.send(fd, data.subarray(sent));
    if (taken === 0) r.wait(5);
    sent += taken;
  }
  expect(sent).toBe(data.length);
}

/** The first answer of `call` that is not null (a receive that found bytes), waiting between tries; null after 2 s. */
function untilAnswered<T>(r: Awaited<ReturnType<typeof reactor>>, call: () => T | null): T | null {
  const end = Date.now() + 2000;
  while (Date.now() < end) {
    const answer = call();
    if (answer !== null) return answer;
    r.wait(5);
  }
  return null;
}

/** The next recv that brings bytes, as reactor.os returned it. */
const recvNext = (r: Awaited<ReturnType<typeof reactor>>, fd: number): Uint8Array | null => untilAnswered(r, () => r.os.recv(fd));

describe.each(['native', 'sim'] as Backend[])('socket bytes (%s)', (backend) => {
  test('a recv keeps its bytes after later recvs', async () => {
    const r = await reactor({ model: 'readiness', backend });
    const [a, b] = pair(r);
    const first = pattern(40, 1);
    const second = pattern(40, 2);
    expect(r.os.send(a, first)).toBe(first.length);
    const got = recvNext(r, b);
    expect(r.os.send(a, second)).toBe(second.length);
    expect(recvNext(r, b)).toEqual(second);
    expect(got).toEqual(first);
  });

  test('small sends from the middle of a larger buffer send just those bytes', async () => {
    const r = await reactor({ model: 'readiness', backend });
    const [a, b] = pair(r);
    const whole = pattern(300, 3);
    for (const [from, to] of [
      [5, 69],
      [100, 101],
      [200, 265],
    ]) {
      const part = whole.subarray(from, to);
      expect(r.os.send(a, part)).toBe(part.length);
      expect(recvAll(r, b, part.length)).toEqual(whole.slice(from, to));
    }
  });

  test('sends of every size class arrive whole, and a small recv returns what fits', async () => {
    const RECV_BYTES = 4000;
    const r = await reactor({ model: 'readiness', backend });
    const [a, b] = pair(r);
    for (const [length, seed] of [
      [1, 4],
      [64, 5],
      [65, 6],
      [4096, 7],
      [100_000, 8],
    ]) {
      const data = pattern(length, seed);
      const received: Uint8Array[] = [];
      let got = 0;
      let sent = 0;
      const end = Date.now() + 5000;
      while (got < length && Date.now() < end) {
        if (sent < length) sent += r.os.send(a, data.subarray(sent));
        const chunk = r.os.recv(b, RECV_BYTES);
        if (chunk === null) {
          r.wait(1);
          continue;
        }
        received.push(chunk);
        got += chunk.length;
      }
      const joined = new Uint8Array(got);
      let at = 0;
      for (const chunk of received) {
        joined.set(chunk, at);
        at += chunk.length;
      }
      expect(Math.max(...received.map((c) => c.length))).toBeLessThanOrEqual(RECV_BYTES);
      // Compared here: jest's deep equality takes seconds over 100 000 elements.
      const firstDifference = joined.findIndex((v, i) => v !== data[i]);
      expect({ length: joined.length, firstDifference }).toEqual({ length, firstDifference: -1 });
    }
  });

  test('end of stream reads as an empty array after the last bytes', async () => {
    const r = await reactor({ model: 'readiness', backend });
    const [a, b] = pair(r);
    const last = pattern(10, 9);
    sendAll(r, a, last);
    r.os.shutdown(a);
    expect(recvAll(r, b, last.length)).toEqual(last);
    expect(recvNext(r, b)).toEqual(new Uint8Array(0));
  });
});

describe.each(['native', 'sim'] as Backend[])('small recvs (%s)', (backend) => {
  test('each keeps its own bytes through many later recvs', async () => {
    const r = await reactor({ model: 'readiness', backend });
    const [a, b] = pair(r);
    // 64 KB in all, in sizes 1 to 511, each through the one staging buffer natively.
    const sent = Array.from({ length: 256 }, (_, i) => pattern(1 + ((i * 37) % 511), i));
    const got = sent.map((message) => {
      expect(r.os.send(a, message)).toBe(message.length);
      return recvNext(r, b);
    });
    expect(got.findIndex((chunk, i) => chunk?.length !== sent[i].length || chunk.some((v, j) => v !== sent[i][j]))).toBe(-1);
  });

  test("a recv's buffer transferred away takes its bytes along and leaves later recvs whole", async () => {
    const r = await reactor({ model: 'readiness', backend });
    const [a, b] = pair(r);
    const first = pattern(50, 1);
    expect(r.os.send(a, first)).toBe(first.length);
    const given = recvNext(r, b)!;
    const view = (buffer: ArrayBufferLike): Uint8Array => new Uint8Array(buffer, given.byteOffset, first.length);
    const moved = structuredClone(given.buffer, { transfer: [given.buffer] });
    expect([view(moved), given.length]).toEqual([first, 0]);
    for (let i = 2; i < 300; i++) {
      const message = pattern(60, i);
      expect(r.os.send(a, message)).toBe(message.length);
      expect(recvNext(r, b)).toEqual(message);
    }
  });
});

/** The next recvInto that brings bytes (or end of stream): their count. */
const recvIntoNext = (r: Awaited<ReturnType<typeof reactor>>, fd: number, buffer: Uint8Array): number | null =>
  untilAnswered(r, () => r.os.recvInto(fd, buffer));

describe.each(['native', 'sim'] as Backend[])('in place: recvInto and send with a length (%s)', (backend) => {
  test('recvInto fills the caller’s buffer, or the view’s window of it, and nothing beyond', async () => {
    const r = await reactor({ model: 'readiness', backend });
    const [a, b] = pair(r);
    expect(r.os.recvInto(b, new Uint8Array(8))).toBeNull();
    const whole = new Uint8Array(300).fill(0xee);
    const window = whole.subarray(100, 200);
    const message = pattern(150, 1);
    sendAll(r, a, message);
    expect(recvIntoNext(r, b, window)).toBe(100);
    expect(whole.subarray(100, 200)).toEqual(message.subarray(0, 100));
    expect([whole.subarray(0, 100).every((v) => v === 0xee), whole.subarray(200).every((v) => v === 0xee)]).toEqual([true, true]);
    // What did not fit stays queued for the next receive.
    expect(recvIntoNext(r, b, window)).toBe(50);
    expect(window.subarray(0, 50)).toEqual(message.subarray(100));
  });

  test('one buffer reused: each message lands in it, and echoes from it arrive whole', async () => {
    const r = await reactor({ model: 'readiness', backend });
    const [a, b] = pair(r);
    const buffer = new Uint8Array(4096);
    for (const [length, seed] of [
      [1, 2],
      [64, 3],
      [65, 4],
      [3000, 5],
    ]) {
      const message = pattern(length, seed);
      sendAll(r, a, message);
      let got = 0;
      while (got < length) got += recvIntoNext(r, b, buffer.subarray(got)) ?? 0;
      expect(buffer.slice(0, length)).toEqual(message);
      // Back the other way from the same buffer: just its first `length` bytes.
      let sent = 0;
      while (sent < length) sent += r.os.send(b, buffer.subarray(sent), length - sent);
      expect(recvAll(r, a, length)).toEqual(message);
    }
  });

  test('send with a length sends only that many bytes, from small and large buffers alike', async () => {
    const r = await reactor({ model: 'readiness', backend });
    const [a, b] = pair(r);
    for (const size of [10, 64, 65, 5000]) {
      const data = pattern(size, size);
      expect(r.os.send(a, data, 7)).toBe(7);
      expect(r.os.send(a, data, 0)).toBe(0);
      expect(recvAll(r, b, 7)).toEqual(data.slice(0, 7));
    }
    r.os.shutdown(a);
    expect(recvNext(r, b)).toEqual(new Uint8Array(0));
  });

  test('buffers that take turns, and one over a SharedArrayBuffer, each receive their own bytes', async () => {
    const r = await reactor({ model: 'readiness', backend });
    const [a, b] = pair(r);
    const buffers = [new Uint8Array(100), new Uint8Array(new SharedArrayBuffer(100)), new Uint8Array(200).subarray(50, 150)];
    for (let i = 0; i < 12; i++) {
      const target = buffers[i % buffers.length];
      const message = pattern(80, i);
      sendAll(r, a, message);
      expect(recvIntoNext(r, b, target)).toBe(80);
      expect(target.slice(0, 80)).toEqual(message);
      // The shared one is sent from too: no lending, the bytes copied.
      expect(r.os.send(b, target, 80)).toBe(80);
      expect(recvAll(r, a, 80)).toEqual(message);
    }
  });

  test('end of stream reads as 0', async () => {
    const r = await reactor({ model: 'readiness', backend });
    const [a, b] = pair(r);
    r.os.shutdown(a);
    expect(recvIntoNext(r, b, new Uint8Array(16))).toBe(0);
  });
});

test('a worker thread sends and receives natively through its own staging while the main thread does too', async () => {
  // Sizes staged through the worker's own staging buffer, and lent from its own buffers.
  const sizes = [1, 64, 65, 4000];
  const worker = new Worker(BYTES_WORKER, { workerData: { sizes } });
  try {
    const done = new Promise<{ received: number[][] }>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    const r = await reactor({ model: 'readiness', backend: 'native' });
    const [a, b] = pair(r);
    for (const size of sizes) {
      const data = pattern(size, 3);
      sendAll(r, a, data);
      const into = new Uint8Array(size);
      let got = 0;
      const end = Date.now() + 2000;
      while (got < size && Date.now() < end) {
        const n = r.os.recvInto(b, into.subarray(got));
        if (n === null) r.wait(5);
        else got += n;
      }
      expect(into).toEqual(data);
    }
    const { received } = await done;
    expect(received).toEqual(sizes.map((size) => Array.from({ length: size }, (_, i) => (i * 11 + size) & 0xff)));
  } finally {
    await worker.terminate();
  }
});
