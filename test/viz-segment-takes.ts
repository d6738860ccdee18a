// The flow view's arrows checked in the page as a user reads them: each segment's details name the
// takes that got its bytes, computed here from the trace alone (for simulated and native traces).
import { expect } from '@jest/globals';
import type { Page } from 'playwright-core';
import type { SegmentRecord, TakeRecord, Trace } from '../src/trace/format.js';

const end = (x: { seq: number; bytes: number }): number => x.seq + x.bytes;
const resets = (seg: SegmentRecord): boolean => seg.flag === 'rst' || (seg.faults?.includes('reset') ?? false);

/**
 * Each segment's takes, by record index, from the trace alone. Data: every data take on its
 * connection with some of its bytes (a segment of none: the take at its place), wherever it stands
 * in the trace (natively a take can be reported first). A SYN, FIN or RST, or data a reset struck:
 * the first later take of its kind that no earlier segment got.
 */
export function expectedTakes(trace: Trace): Map<number, number[]> {
  const takes = new Map<number, number[]>();
  const got = new Set<number>();
  const { records } = trace;
  records.forEach((seg, i) => {
    if (seg.k !== 'segment') return;
    const onConn = (x: Trace['records'][number]): x is TakeRecord => x.k === 'take' && x.conn === seg.conn;
    if (seg.flag === 'data' && !resets(seg)) {
      const mine = (x: TakeRecord) =>
        x.flag === 'data' && (seg.bytes === 0 ? seg.seq >= x.seq && seg.seq < end(x) : x.seq < end(seg) && end(x) > seg.seq);
      takes.set(
        i,
        records.flatMap((x, j) => (onConn(x) && mine(x) ? [j] : [])),
      );
      return;
    }
    const first = records.findIndex(
      (x, j) => j > i && onConn(x) && !got.has(j) && (x.flag === 'rst' ? resets(seg) : x.flag === seg.flag && !resets(seg)),
    );
    if (first >= 0) got.add(first);
    takes.set(i, first >= 0 ? [first] : []);
  });
  return takes;
}

/** Jumps to each segment as a user does (its record in "jump to", go) and checks its details name `takes`' takes. */
export async function expectSegmentDetails(page: Page, trace: Trace, takes: Map<number, number[]>): Promise<void> {
  const segments = [...takes.keys()];
  // One evaluate, each details read after the frame that draws them: hundreds of round trips outlast a loaded machine.
  const details = await page.evaluate(async (records) => {
    const seen: string[] = [];
    const jump = document.getElementById('jump') as HTMLInputElement;
    for (const i of records) {
      jump.value = `#${i}`;
      document.getElementById('go')!.click();
      await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
      seen.push(document.getElementById('details')!.innerText);
    }
    return seen;
  }, segments);
  segments.forEach((i, k) => {
    const [first, ...rest] = takes.get(i)!;
    expect(details[k]).toMatch(new RegExp(`^#${i} `));
    expect(details[k]).toContain(
      first === undefined ? 'never taken' : `taken by #${first} on ${(trace.records[first] as TakeRecord).host} · `,
    );
    if (rest.length > 0) expect(details[k]).toContain(`the rest of its bytes taken by ${rest.map((j) => `#${j}`).join(', ')}`);
    else expect(details[k]).not.toContain('the rest of its bytes');
  });
}
