// Every row of every translation table, checked twice: as data, and by feeding the raw result it
// describes through the core and reading the event that comes out.
import { constants } from 'node:os';
import { instantiateCore, tableRows, TABLE, type CoreExports } from '../src/core.js';
import { PORTABLE_CODES } from '../src/codes.js';
import { EventType } from '../src/index.js';
import { MODEL, MECHANISM, CODES_ERRNO, CODES_WIN32, KIND, OP, RESULT, ENTRY_INTS } from '../src/seam.js';

const FD = 42;
/** Linux errnos that Node's os.constants.errno does not list (asm-generic/errno.h). */
const NOT_IN_NODE: Record<string, number> = { ESHUTDOWN: 108, EHOSTDOWN: 112 };

async function core(model: number, mechanism: number, codes = CODES_ERRNO): Promise<CoreExports> {
  const c = (await instantiateCore({ poolSize: 8, bufferSize: 64, maxSockets: 16 }))!;
  expect(c.init(model, mechanism, codes, 0)).toBe(0);
  return c;
}

function inject(c: CoreExports, result: number[]): { type: number; bytes: number; code: number; osCode: number; ctx: number } {
  const i32 = new Int32Array(c.memory.buffer);
  i32.set(result.concat(new Array(ENTRY_INTS - result.length).fill(0)), c.resultsAt() >> 2);
  c.endWait(1, c.pendingRequests());
  const n = c.collect(8);
  if (n === 0) return { type: 0, bytes: 0, code: 0, osCode: 0, ctx: -1 };
  const at = c.deliveredAt() >> 2;
  return { type: i32[at + 2], bytes: i32[at + 3], ctx: i32[at + 4], code: i32[at + 5], osCode: i32[at + 6] };
}

/** The context the core handed to the shim for the first accept of FD. */
function postedContext(c: CoreExports): number {
  c.beginWait();
  c.lendBuffers();
  return new Int32Array(c.memory.buffer)[(c.requestsAt() >> 2) + ENTRY_INTS + 2];
}

/** The shim's result for the read armed on FD: `bytes` in the first provided buffer, or a failure. */
function readResult(c: CoreExports, bytes: number, osCode: number): number[] {
  c.beginWait();
  c.lendBuffers();
  const i32 = new Int32Array(c.memory.buffer);
  const armed = (c.requestsAt() >> 2) + ENTRY_INTS; // the request after the add
  const buffer = bytes > 0 ? i32[(c.providedAt() >> 2) + 2] : -1;
  return [RESULT.recv, FD, i32[armed + 2], bytes, osCode, -1, i32[armed + 6], buffer];
}

describe.each([
  ['epoll', TABLE.epoll, MECHANISM.epoll],
  ['poll', TABLE.poll, MECHANISM.poll],
])('%s readiness bits', (_name, table, mechanism) => {
  const probe = async () => tableRows(await core(MODEL.readiness, mechanism), table);

  test('the table is not empty and every bit maps to one event flag', async () => {
    const rows = await probe();
    expect(rows.length).toBeGreaterThanOrEqual(6);
    for (const [, flag] of rows) expect([1, 2, 4, 8]).toContain(flag);
  });

  test('each bit, reported for a registered fd, becomes its event', async () => {
    for (const [bit, flag] of await probe()) {
      const c = await core(MODEL.readiness, mechanism);
      const slot = c.add(FD, EventType.READ | EventType.WRITE, KIND.socket);
      const event = inject(c, [RESULT.ready, FD, slot, bit, 0, 0, 0]);
      expect({ bit, type: event.type }).toEqual({ bit, type: flag });
    }
  });
});

describe('errno table', () => {
  test('each row names the Linux errno it holds', async () => {
    const rows = tableRows(await core(0, 0), TABLE.errno);
    expect(rows.length).toBeGreaterThan(30);
    for (const [osCode, portable] of rows) {
      const name = PORTABLE_CODES[portable];
      const errno = (constants.errno as Record<string, number>)[name] ?? NOT_IN_NODE[name];
      expect({ name, errno }).toEqual({ name, errno: osCode });
    }
  });

  test("each errno failing a read becomes the row's event and code", async () => {
    for (const [osCode, portable, type] of tableRows(await core(0, 0), TABLE.errno)) {
      const c = await core(MODEL.completion, MECHANISM.epoll);
      c.add(FD, EventType.READ, KIND.socket);
      const event = inject(c, readResult(c, 0, osCode));
      expect({ osCode, type: event.type, code: event.code }).toEqual({ osCode, type, code: portable });
    }
  });

  test('reset, abort, broken pipe and cancel close the connection; the rest are errors', async () => {
    const rows = tableRows(await core(0, 0), TABLE.errno);
    const closing = rows
      .filter(([, , t]) => t === EventType.CLOSE)
      .map(([, p]) => PORTABLE_CODES[p])
      .sort();
    expect(closing).toEqual(['ECANCELED', 'ECONNABORTED', 'ECONNRESET', 'ENETRESET', 'EPIPE', 'ESHUTDOWN']);
  });
});

describe('Win32 and WSA table', () => {
  test("Neolith's rows: 995, 64 and 1236 close; Wine's 676 closes too", async () => {
    const c = await core(MODEL.completion, MECHANISM.iocp, CODES_WIN32);
    for (const code of [995, 64, 1236, 676])
      expect({ code, type: c.translateFailure(CODES_WIN32, code) }).toEqual({ code, type: EventType.CLOSE });
    expect(c.translateFailure(CODES_WIN32, 10061)).toBe(EventType.ERROR);
    expect(PORTABLE_CODES[c.translateError(CODES_WIN32, 64)]).toBe('ECONNRESET');
  });

  test("each Win32 code failing a read becomes the row's event and code", async () => {
    for (const [osCode, portable, type] of tableRows(await core(0, 0), TABLE.win32)) {
      const c = await core(MODEL.completion, MECHANISM.iocp, CODES_WIN32);
      c.add(FD, EventType.READ, KIND.socket);
      const event = inject(c, readResult(c, 0, osCode));
      expect({ osCode, type: event.type, code: event.code }).toEqual({ osCode, type, code: portable });
    }
  });

  test('an unknown code is an ERROR with EUNKNOWN', async () => {
    const c = await core(MODEL.completion, MECHANISM.iocp, CODES_WIN32);
    c.add(FD, EventType.READ, KIND.socket);
    const event = inject(c, readResult(c, 0, 12345));
    expect(event.type).toBe(EventType.ERROR);
    expect(PORTABLE_CODES[event.code]).toBe('EUNKNOWN');
  });
});

describe('completion table', () => {
  async function completed(op: number, bytes: number): Promise<{ type: number; bytes: number }> {
    const c = await core(MODEL.completion, MECHANISM.epoll);
    if (op === OP.send) {
      c.add(FD, 0, KIND.socket);
      expect(c.postWrite(FD, 10, -1)).toBe(1);
      c.beginWait();
      c.lendBuffers();
      const ctx = new Int32Array(c.memory.buffer)[(c.requestsAt() >> 2) + ENTRY_INTS + 2];
      return inject(c, [RESULT.complete, FD, ctx, bytes, 0, -1]);
    }
    if (op === OP.recv) {
      c.add(FD, EventType.READ, KIND.socket);
      return inject(c, readResult(c, bytes, 0));
    }
    c.add(FD, EventType.READ, KIND.listener);
    return inject(c, [RESULT.complete, FD, postedContext(c), bytes, 0, 7]);
  }

  test('each successful completion row becomes its event', async () => {
    const rows = tableRows(await core(0, 0), TABLE.completion);
    expect(rows.length).toBe(6);
    for (const [op, zero, type] of rows) {
      const bytes = op === OP.send && !zero ? 10 : zero ? 0 : 5;
      expect({ op, zero, type: (await completed(op, bytes)).type }).toEqual({ op, zero, type });
    }
  });

  test('a zero-byte read is a graceful CLOSE, a non-empty one a READ with its bytes', async () => {
    expect((await completed(OP.recv, 0)).type).toBe(EventType.CLOSE);
    expect(await completed(OP.recv, 5)).toMatchObject({ type: EventType.READ, bytes: 5 });
  });
});
