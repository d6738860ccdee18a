// reactor.os moves bytes exactly: every recv is the caller's own copy (natively they pass through
// one staging buffer shared by all calls), and sends of any size, from any offset of any buffer,
// arrive as they were.
import { reactor, destroyAll, pair, closeOwned, recvAll, type Backend } from './helpers.js';

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

/** The next recv that brings bytes, as reactor.os returned it. */
function recvNext(r: Awaited<ReturnType<typeof reactor>>, fd: number): Uint8Array | null {
  const end = Date.now() + 2000;
  while (Date.now() < end) {
    const chunk = r.os.recv(fd);
    if (chunk !== null) return chunk;
    r.wait(5);
  }
  return null;
}

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
