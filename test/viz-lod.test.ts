// The page's level of detail draws what drawing every record would: a bin a pixel wide holds the
// styles of exactly the records in it, and a step series' pixel columns show each column's peak,
// or the value carried into it, as a walk over every sample does.
import fc from 'fast-check';
import { TraceModel } from '../src/viz/page/model.js';
import { summaryOf, levelFor, binCenter } from '../src/viz/page/lod.js';
import { StepSeries } from '../src/viz/page/step-series.js';
import { FIRST_KIND_STYLE } from '../src/viz/page/colors.js';
import { runScenario } from '../src/sim/scenarios/run-traced.js';

/** Per pixel column, what a walk over every sample shows (the reference). */
function walk(positions: number[], values: number[], v0: number, v1: number, plot: number) {
  const scale = plot / (v1 - v0);
  const columns = new Float64Array(plot);
  let carried = 0;
  let peak = 0;
  let x = 0;
  for (let i = 0; i < positions.length; i++) {
    const col = Math.floor((positions[i] - v0) * scale);
    if (col >= plot) break;
    if (col >= 0) {
      for (; x < col; x++) columns[x] = carried;
      columns[col] = x > col ? Math.max(columns[col], values[i]) : values[i];
      x = col + 1;
      peak = Math.max(peak, values[i]);
    }
    carried = values[i];
  }
  for (; x < plot; x++) columns[x] = carried;
  return { columns: [...columns], peak, closing: carried };
}

test('a step series shows, per pixel column, what a walk over every sample shows', () => {
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.nat(5000), fc.nat(1000)), { maxLength: 300 }),
      fc.nat(4000),
      fc.integer({ min: 1, max: 4000 }),
      fc.integer({ min: 1, max: 400 }),
      (samples, v0, span, plot) => {
        samples.sort((a, b) => a[0] - b[0]);
        const positions = samples.map((s) => s[0]);
        const values = samples.map((s) => s[1]);
        // Whole-unit positions in bins one unit wide (level 0), no wider than a pixel: each bin starts
        // where its samples are, so the columns must be the walk's exactly.
        const width = Math.max(span, plot);
        const series = new StepSeries(Float64Array.from(positions), [Float64Array.from(values)]);
        const got = series.columns(v0, v0 + width, plot, 0);
        const want = walk(positions, values, v0, v0 + width, plot);
        expect({ columns: [...got.columns[0]], peak: got.peak[0], closing: got.closing[0] }).toEqual(want);
      },
    ),
  );
});

test("a lane's bins hold the styles of exactly its records, each drawn within a pixel of where it is", async () => {
  const { trace } = await runScenario('echo', 2, 'completion');
  const model = TraceModel.of(trace);
  const summary = summaryOf(model);
  const last = model.times[model.times.length - 1];
  for (const axis of ['seq', 'time'] as const) {
    for (const plot of [300, 1200]) {
      const v1 = axis === 'seq' ? model.records.length : last;
      const unitsPerPx = v1 / plot;
      const k = levelFor(axis, unitsPerPx);
      expect(2 ** k).toBeLessThanOrEqual(Math.max(unitsPerPx, 1));
      for (let lane = 0; lane < model.lanes.length; lane++) {
        const marks = summary.marks(lane, axis, k);
        const drawn = new Set<string>();
        for (let b = 0; b < marks.count; b++) {
          const column = Math.floor(binCenter(axis, k, marks.bins[b]) / unitsPerPx);
          for (let t = 0; t < 32; t++) if (marks.events[b] & (1 << t)) drawn.add(`e${t}@${column}`);
          for (let s = FIRST_KIND_STYLE; s < 32; s++) if (marks.kinds[b] & (1 << s)) drawn.add(`s${s}@${column}`);
        }
        const near = new Set<string>();
        for (const i of model.laneRecords[lane]) {
          const column = Math.floor((axis === 'seq' ? i : model.times[i]) / unitsPerPx);
          const what = model.style[i] < FIRST_KIND_STYLE ? `e${model.typeOf[i]}` : `s${model.style[i]}`;
          expect([column - 1, column, column + 1].some((c) => drawn.has(`${what}@${c}`))).toBe(true);
          for (const c of [column - 1, column, column + 1]) near.add(`${what}@${c}`);
        }
        for (const mark of drawn) expect(near).toContain(mark);
      }
    }
  }
});
