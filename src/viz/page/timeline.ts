// Draws a trace's lanes on a canvas, grouped by host under a header row that folds them: spans as
// bars, records as marks, faults as triangles, the cursor, a highlighted record and the failure;
// in the flow view, on a time axis, each segment as an arrow from its send to each take that got
// its bytes, an arrow whose far end is scrolled out or folded drawn to the plot's edge with that
// lane's name there (hover it to see where it goes, click to go). It draws the level of detail (lod.ts) whose bins are a pixel wide, only for the rows
// scrolled into view, one path or run list per color: a frame costs rows shown × width, however
// long the trace.
import type { TraceModel } from './model.js';
import { Runs } from './runs.js';
import type { View } from './view.js';
import {
  STYLE_COLORS,
  STYLE_KIND,
  FIRST_KIND_STYLE,
  FAULT_STYLE,
  SEGMENT_STYLE,
  SPAN_COLORS,
  CURSOR_COLOR,
  DIVERGENCE_COLOR,
  ARROW_COLORS,
  KIND_BITS,
  EVENT_STYLE,
} from './colors.js';
import { summaryOf, levelFor, binCenter, SPAN_KINDS, ARROW_FLAGS } from './lod.js';
import { lowerBound } from './search.js';

export const GUTTER_PX = 220;
export const AXIS_PX = 22;
/** A lane's height; an event mark is as tall less a margin, and at least 8 px wide to hit. */
export const LANE_PX = 24;
/** Axis labels are at least this far apart. */
const TICK_LABEL_PX = 80;
/** Half the width a mark answers a click or hover in. */
const HIT_SLACK_PX = 5;
const EVENT_MARK_PX = 6;
const STYLES = STYLE_COLORS.length;
/** What the flow view draws of a reactor's records: events, faults, the wire. */
const FLOW_KINDS = KIND_BITS.event | KIND_BITS.fault | KIND_BITS.wire;
/** Event types (0–31) as bits, for a bin's set of types. */
const EVENT_TYPES = 32;
const FAILURE_COLOR = '#c00000';
/** Arrows between the same two rows closer than this at their start are drawn as one. */
const ARROW_STEP_PX = 3;
/** Arrowheads drawn in a frame at most: past that the arrows are too dense for heads to tell anything. */
const ARROW_HEADS_MAX = 600;
/** Arrows a frame remembers for the pointer: past that they are too dense to point at one. */
const ARROW_HITS_MAX = 4000;
/** Fields of a remembered arrow: its ends on screen (x0, y0, x1, y1, beyond the plot when off it) and its index. */
const HIT_FIELDS = 5;
/** Names of off-screen lanes at the plot's edges, at most, a frame. */
const EDGE_LABELS_MAX = 40;
/** How far an arrow answers the pointer. */
const ARROW_SLACK_PX = 4;
/** How strongly an arrow with an end off screen is drawn. */
const FAINT_ALPHA = 0.35;
/** An edge label's height, and its widest. */
const EDGE_LABEL_PX = 16;
const EDGE_LABEL_MAX_PX = 200;

/** An arrow under the pointer: which one, its end away from the pointer, and where that end is. */
export interface ArrowHit {
  arrow: number;
  /** The record at its far end (the take, or the segment; the segment for one never taken). */
  far: number;
  /** Where the far end is, said for a person: 'on screen', 'scrolled out above', … */
  where: string;
}

/** A lane's name at the edge an arrow leaves the plot by. */
interface EdgeLabel {
  x: number;
  top: boolean;
  lane: number;
  arrow: number;
  /** Its box this frame, for the pointer. */
  x0: number;
  x1: number;
}

/** Where in a lane's record list the first record at or after position `p` is. */
function firstAtOrAfter(model: TraceModel, view: View, records: number[], p: number): number {
  let lo = 0;
  let hi = records.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (view.pos(model, records[mid]) < p) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** A host's header row this frame. */
interface Header {
  host: string;
  row: number;
  lanes: number;
  collapsed: boolean;
}

export class Timeline {
  /** Screen row of each lane this frame (-1: hidden, folded or scrolled out). */
  #rows: Int32Array = new Int32Array(0);
  #headers: Header[] = [];
  /** Rows (headers and lanes) not hidden by a filter, this frame. */
  shownRows = 0;
  /** Lanes not hidden by a filter. */
  shownLanes = 0;
  /** Rows the canvas has room for. */
  rowsVisible = 1;
  /** Arrowheads of this frame as [flag, x0, y0, x1, y1], reused from frame to frame. */
  readonly #heads = new Float64Array(ARROW_HEADS_MAX * 5);
  /** Each lane's row counted from the top row shown (negative above, past rowsVisible below), its host's when folded; NaN: hidden. */
  #place: Float64Array = new Float64Array(0);
  /** The arrows drawn this frame, HIT_FIELDS each, for the pointer. */
  readonly #hits = new Float64Array(ARROW_HITS_MAX * HIT_FIELDS);
  #hitCount = 0;
  #edgeLabels: EdgeLabel[] = [];
  /** The canvas's CSS size, read once per frame (each read may lay out the page). */
  #width = 0;
  #height = 0;

  constructor(readonly canvas: HTMLCanvasElement) {}

  get plotWidth(): number {
    return (this.#width || this.canvas.clientWidth) - GUTTER_PX;
  }

  /** Position (axis units) under a canvas x. */
  posAt(view: View, x: number): number {
    return view.v0 + ((x - GUTTER_PX) / this.plotWidth) * (view.v1 - view.v0);
  }

  /** Scrolls the rows so that `lane` is on screen, unfolding its host. */
  reveal(model: TraceModel, view: View, lane: number): void {
    if (lane < 0 || view.hiddenLanes.has(lane)) return;
    view.collapsedHosts.delete(model.lanes[lane].host);
    const row = this.#order(model, view).rows.get(lane) ?? 0;
    // The rows the canvas has room for now: the page may have laid out again since the last frame.
    const rows = rowsIn(this.canvas.clientHeight);
    if (row < view.laneTop) view.laneTop = row;
    else if (row >= view.laneTop + rows) view.laneTop = row - rows + 1;
  }

  /** The host whose header row is under y, or null. */
  headerAt(y: number): string | null {
    const row = Math.floor((y - AXIS_PX) / LANE_PX);
    return this.#headers.find((h) => h.row === row)?.host ?? null;
  }

  /** The shown record nearest to (x, y), within HIT_SLACK_PX, or -1. */
  hit(model: TraceModel, view: View, x: number, y: number): number {
    const row = Math.floor((y - AXIS_PX) / LANE_PX);
    const lane = row < 0 ? -1 : this.#rows.indexOf(row);
    if (lane < 0 || x < GUTTER_PX) return -1;
    const slack = (HIT_SLACK_PX / this.plotWidth) * (view.v1 - view.v0);
    const p = this.posAt(view, x);
    const records = model.laneRecords[lane];
    let best = -1;
    let bestD = Infinity;
    for (let k = firstAtOrAfter(model, view, records, p - slack); k < records.length; k++) {
      const i = records[k];
      const d = Math.abs(view.pos(model, i) - p);
      if (view.pos(model, i) > p + slack) break;
      if (!this.#drawn(model, view, i)) continue;
      if (d < bestD) {
        bestD = d;
        best = i;
      }
    }
    return best;
  }

  /** Draws one frame. */
  draw(model: TraceModel, view: View, highlight = -1): void {
    const { canvas } = this;
    const ratio = window.devicePixelRatio || 1;
    this.#width = canvas.clientWidth;
    this.#height = Math.max(canvas.clientHeight, AXIS_PX + LANE_PX);
    this.rowsVisible = rowsIn(this.#height);
    this.#layout(model, view);
    if (canvas.height !== Math.round(this.#height * ratio) || canvas.width !== Math.round(this.#width * ratio)) {
      canvas.height = Math.round(this.#height * ratio);
      canvas.width = Math.round(this.#width * ratio);
    }
    const g = canvas.getContext('2d')!;
    g.setTransform(ratio, 0, 0, ratio, 0, 0);
    g.clearRect(0, 0, this.#width, this.#height);
    this.#drawLanes(g, model);
    g.save();
    g.beginPath();
    g.rect(GUTTER_PX, 0, this.plotWidth, this.#height);
    g.clip();
    this.#drawAxis(g, view);
    if (view.mode === 'timeline') this.#drawSpans(g, model, view);
    // The lines go under the marks, so the record they point at stays visible.
    if (model.failure) this.#drawLine(g, model, view, Math.min(model.failure.at, model.records.length - 1), FAILURE_COLOR);
    this.#drawLine(g, model, view, view.cursor, CURSOR_COLOR);
    this.#drawLine(g, model, view, highlight, DIVERGENCE_COLOR);
    if (view.mode === 'flow') this.#drawArrows(g, model, view);
    this.#drawMarks(g, model, view);
    g.restore();
  }

  /** Rows in order: each host's header, then its lanes by reactor; the network's last. */
  #order(
    model: TraceModel,
    view: View,
  ): { rows: Map<number, number>; folded: Map<number, number>; headers: Header[]; total: number; lanes: number } {
    const byHost = new Map<string, number[]>();
    model.lanes.forEach((lane, i) => {
      if (view.hiddenLanes.has(i)) return;
      let list = byHost.get(lane.host);
      if (!list) byHost.set(lane.host, (list = []));
      list.push(i);
    });
    const hosts = [...byHost.keys()].sort((a, b) => Number(a === 'network') - Number(b === 'network'));
    const rows = new Map<number, number>();
    const folded = new Map<number, number>();
    const headers: Header[] = [];
    let row = 0;
    let lanes = 0;
    for (const host of hosts) {
      const list = byHost.get(host)!.sort((a, b) => model.lanes[a].r - model.lanes[b].r || a - b);
      const collapsed = view.collapsedHosts.has(host);
      headers.push({ host, row, lanes: list.length, collapsed });
      lanes += list.length;
      if (collapsed) for (const lane of list) folded.set(lane, row);
      row++;
      if (!collapsed) for (const lane of list) rows.set(lane, row++);
    }
    return { rows, folded, headers, total: row, lanes };
  }

  /** Gives each lane and header its screen row. */
  #layout(model: TraceModel, view: View): void {
    const { rows, folded, headers, total, lanes } = this.#order(model, view);
    this.shownRows = total;
    this.shownLanes = lanes;
    view.laneTop = Math.max(0, Math.min(view.laneTop, total - this.rowsVisible));
    const onScreen = (row: number): number => (row - view.laneTop >= 0 && row - view.laneTop < this.rowsVisible ? row - view.laneTop : -1);
    if (this.#rows.length !== model.lanes.length) {
      this.#rows = new Int32Array(model.lanes.length);
      this.#place = new Float64Array(model.lanes.length);
    }
    this.#rows.fill(-1);
    this.#place.fill(Number.NaN);
    for (const [lane, row] of rows) {
      this.#rows[lane] = onScreen(row);
      this.#place[lane] = row - view.laneTop;
    }
    for (const [lane, row] of folded) this.#place[lane] = row - view.laneTop;
    this.#headers = headers.map((h) => ({ ...h, row: onScreen(h.row) })).filter((h) => h.row >= 0);
  }

  #x(view: View, p: number): number {
    return GUTTER_PX + ((p - view.v0) / (view.v1 - view.v0)) * (this.#width - GUTTER_PX);
  }

  #drawLanes(g: CanvasRenderingContext2D, model: TraceModel): void {
    g.textBaseline = 'middle';
    g.font = '13px system-ui, sans-serif';
    model.lanes.forEach((lane, i) => {
      const row = this.#rows[i];
      if (row < 0) return;
      const y = AXIS_PX + row * LANE_PX;
      g.fillStyle = row % 2 ? '#f3f5f8' : '#fbfcfd';
      g.fillRect(0, y, this.#width, LANE_PX);
      g.fillStyle = '#1d2430';
      g.fillText(fitText(g, lane.name, GUTTER_PX - 26), 18, y + LANE_PX / 2);
    });
    g.font = 'bold 13px system-ui, sans-serif';
    for (const h of this.#headers) {
      const y = AXIS_PX + h.row * LANE_PX;
      g.fillStyle = '#e3e8f0';
      g.fillRect(0, y, this.#width, LANE_PX);
      g.fillStyle = '#1d2430';
      g.fillText(`${h.collapsed ? '▸' : '▾'} ${h.host}  (${h.lanes} lane${h.lanes === 1 ? '' : 's'})`, 4, y + LANE_PX / 2);
    }
    g.fillStyle = '#c8ced8';
    g.fillRect(GUTTER_PX - 1, 0, 1, this.#height);
  }

  #drawAxis(g: CanvasRenderingContext2D, view: View): void {
    // The smallest 1, 2 or 5 × 10^n that keeps labels TICK_LABEL_PX apart.
    const least = ((view.v1 - view.v0) * TICK_LABEL_PX) / this.plotWidth;
    const step = 10 ** Math.floor(Math.log10(least));
    const fine = [1, 2, 5, 10].map((m) => m * step).find((t) => t >= least)!;
    const tick = view.axis === 'seq' ? Math.max(fine, 1) : fine;
    g.fillStyle = '#555';
    g.font = '12px system-ui, sans-serif';
    for (let p = Math.ceil(view.v0 / tick) * tick; p <= view.v1; p += tick) {
      const x = this.#x(view, p);
      g.fillRect(x, AXIS_PX - 6, 1, 6);
      const label = view.axis === 'seq' ? `#${Math.round(p)}` : `${+p.toFixed(3)} ms`;
      g.fillText(label, x + 3, 9);
    }
  }

  #drawSpans(g: CanvasRenderingContext2D, model: TraceModel, view: View): void {
    const summary = summaryOf(model);
    const scale = this.plotWidth / (view.v1 - view.v0);
    const k = levelFor(view.axis, 1 / scale);
    const runs = new Runs(SPAN_KINDS.length);
    this.#onScreen((lane, row) => {
      summary.spans(lane, view.axis, k).forEach((list, kind) => {
        const inset = SPAN_KINDS[kind] === 'wait' ? 3 : 6;
        // Runs are disjoint and in order: skip those that end before the view.
        let lo = 0;
        let hi = list.length / 2;
        while (lo < hi) {
          const mid = (lo + hi) >> 1;
          if (list[2 * mid + 1] < view.v0) lo = mid + 1;
          else hi = mid;
        }
        for (let r = 2 * lo; r < list.length; r += 2) {
          const start = GUTTER_PX + (list[r] - view.v0) * scale;
          if (start > this.#width) break;
          const x0 = Math.max(start, GUTTER_PX);
          const end = GUTTER_PX + (list[r + 1] - view.v0) * scale;
          runs.add(kind, x0, Math.min(Math.max(end, x0 + 1), this.#width), AXIS_PX + row * LANE_PX + inset, LANE_PX - 2 * inset);
        }
      });
      runs.flush();
    });
    runs.fill(
      g,
      SPAN_KINDS.map((what) => SPAN_COLORS[what]),
      SPAN_KINDS.map((_, i) => i),
    );
  }

  /** Calls `draw` for each lane on screen, with its row. */
  #onScreen(draw: (lane: number, row: number) => void): void {
    for (let lane = 0; lane < this.#rows.length; lane++) if (this.#rows[lane] >= 0) draw(lane, this.#rows[lane]);
  }

  /** Whether record i is drawn in this view (its kind, its event type, the view's mode). */
  #drawn(model: TraceModel, view: View, i: number): boolean {
    const s = model.style[i];
    const kinds = view.mode === 'flow' ? view.kindMask & FLOW_KINDS : view.kindMask;
    return (STYLE_KIND[s] & kinds) !== 0 && (s >= FIRST_KIND_STYLE || (model.typeOf[i] & view.eventMask) !== 0);
  }

  #drawMarks(g: CanvasRenderingContext2D, model: TraceModel, view: View): void {
    const summary = summaryOf(model);
    const { axis } = view;
    const scale = this.plotWidth / (view.v1 - view.v0);
    const k = levelFor(axis, 1 / scale);
    const kinds = view.mode === 'flow' ? view.kindMask & FLOW_KINDS : view.kindMask;
    // The bins' bits this view shows: event types its filter lets through, other styles by kind.
    let types = 0;
    if (kinds & KIND_BITS.event) for (let t = 0; t < EVENT_TYPES; t++) if (t & view.eventMask) types |= 1 << t;
    let styles = 0;
    for (let s = FIRST_KIND_STYLE; s < STYLES; s++) if (STYLE_KIND[s] & kinds) styles |= 1 << s;
    const runs = new Runs(STYLES);
    const faults = new Path2D();
    const first = Math.floor(view.v0 / 2 ** k);
    this.#onScreen((lane, row) => {
      const marks = summary.marks(lane, axis, k);
      const y = AXIS_PX + row * LANE_PX;
      let lastFault = -Infinity;
      for (let b = lowerBound(marks.bins, marks.count, first); b < marks.count; b++) {
        const p = binCenter(axis, k, marks.bins[b]);
        if (p > view.v1) break;
        const x = GUTTER_PX + (p - view.v0) * scale;
        for (let bits = (marks.events[b] & types) >>> 0; bits !== 0; ) {
          const t = 31 - Math.clz32(bits);
          bits = (bits & ~(1 << t)) >>> 0;
          runs.add(EVENT_STYLE[t], x - EVENT_MARK_PX / 2, x + EVENT_MARK_PX / 2, y + 4, LANE_PX - 8);
        }
        for (let bits = marks.kinds[b] & styles; bits !== 0; ) {
          const s = 31 - Math.clz32(bits);
          bits &= ~(1 << s);
          if (s === FAULT_STYLE) {
            if (x - lastFault >= 2) triangleAt(faults, x, y);
            lastFault = x;
          } else if (s >= SEGMENT_STYLE) runs.add(s, x - 2, x + 3, y + LANE_PX / 2 - 2, 5);
          else runs.add(s, x, x + 2, y + (s === FIRST_KIND_STYLE ? 1 : s === FIRST_KIND_STYLE + 1 ? LANE_PX - 7 : LANE_PX - 4), 3);
        }
      }
      runs.flush();
    });
    // Calls, requests and results first: event marks stay on top, the most telling last.
    runs.fill(g, STYLE_COLORS, [...STYLE_COLORS.keys()].reverse());
    g.fillStyle = STYLE_COLORS[FAULT_STYLE];
    g.fill(faults);
  }

  /**
   * Each segment sent in view (or reaching into it) as a line from its send to each take that got
   * its bytes, its slope the latency; a segment never taken ends, dashed, where it reached the peer.
   * A lane scrolled out keeps its place above or below (a folded one its host's row): the line runs
   * to the plot's edge, where that lane's name is written. One arrow per ARROW_STEP_PX of start and
   * of end, pair of lanes and kind: past that, more lines add only ink.
   */
  #drawArrows(g: CanvasRenderingContext2D, model: TraceModel, view: View): void {
    const summary = summaryOf(model);
    const scale = this.plotWidth / (view.v1 - view.v0);
    const k = levelFor('time', 1 / scale);
    const top = AXIS_PX;
    const bottom = this.#bottom;
    const yOf = (lane: number): number => (lane < 0 ? Number.NaN : AXIS_PX + this.#place[lane] * LANE_PX + LANE_PX / 2);
    const off = (y: number): boolean => y < top || y > bottom;
    const paths = ARROW_FLAGS.map(() => ({ lines: new Path2D(), lost: new Path2D() }));
    // Arrows with an end off screen are drawn faint: they tell where the flow goes without hiding what is on screen.
    const faintPaths = ARROW_FLAGS.map(() => ({ lines: new Path2D(), lost: new Path2D() }));
    const struck = new Path2D();
    // Heads are drawn only while they can be told apart: the ends of the first ARROW_HEADS_MAX.
    const heads = this.#heads;
    let drawn = 0;
    this.#hitCount = 0;
    const hits = this.#hits;
    /** By lane and edge (2 × lane, + 1 at the top). */
    const labels = new Map<number, EdgeLabel>();
    /** The first place an arrow to an off-screen `lane` crosses the plot's edge names that lane. */
    const edge = (lane: number, arrow: number, xFar: number, yFar: number, xNear: number, yNear: number): void => {
      const edgeY = yFar < top ? top : bottom;
      const x = xNear + ((xFar - xNear) * (edgeY - yNear)) / (yFar - yNear);
      const key = 2 * lane + (edgeY === top ? 1 : 0);
      if (x >= GUTTER_PX && x <= this.#width && !labels.has(key)) labels.set(key, { x, top: edgeY === top, lane, arrow, x0: 0, x1: 0 });
    };
    summary.groups().forEach((group, i) => {
      let y0 = yOf(group.fromLane);
      let y1 = yOf(group.toLane);
      if (Number.isNaN(y0) && Number.isNaN(y1)) return;
      // A lane hidden by the filters has no place: a stub toward it.
      if (Number.isNaN(y1)) y1 = y0 + LANE_PX / 2;
      if (Number.isNaN(y0)) y0 = y1 - LANE_PX / 2;
      if ((y0 < top && y1 < top) || (y0 > bottom && y1 > bottom)) return;
      const arrows = summary.arrows(i, k);
      const path = (off(y0) || off(y1) ? faintPaths : paths)[group.flag];
      let lastStep = -Infinity;
      let lastEndStep = -Infinity;
      for (let a = lowerBound(arrows.start, arrows.count, view.v0 - group.longestMs); a < arrows.count; a++) {
        const x0 = GUTTER_PX + (arrows.start[a] - view.v0) * scale;
        // A take reported before its send (natively, a completion's) reaches back from the right.
        if (x0 > this.#width + group.longestMs * scale) break;
        const x1 = GUTTER_PX + (arrows.end[a] - view.v0) * scale;
        const step = Math.floor(x0 / ARROW_STEP_PX);
        const endStep = Math.floor(x1 / ARROW_STEP_PX);
        if (Math.max(x0, x1) < GUTTER_PX || Math.min(x0, x1) > this.#width || (step === lastStep && endStep === lastEndStep)) continue;
        lastStep = step;
        lastEndStep = endStep;
        if (group.taken) {
          path.lines.moveTo(x0, y0);
          path.lines.lineTo(x1, y1);
          if (!off(y1)) {
            if (drawn < ARROW_HEADS_MAX) heads.set([group.flag, x0, y0, x1, y1], drawn * 5);
            drawn++;
          }
        } else {
          path.lost.moveTo(x0, y0);
          path.lost.lineTo(x1, y1);
          crossAt(path.lost, x1, y1);
        }
        if (arrows.struck[a]) triangleAt(struck, (x0 + x1) / 2, (y0 + y1) / 2 - LANE_PX / 2);
        if (this.#hitCount < ARROW_HITS_MAX) {
          const h = this.#hitCount++ * HIT_FIELDS;
          hits[h] = x0;
          hits[h + 1] = y0;
          hits[h + 2] = x1;
          hits[h + 3] = y1;
          hits[h + 4] = arrows.arrow[a];
        }
        if (off(y1)) edge(group.toLane, arrows.arrow[a], x1, y1, x0, y0);
        if (off(y0)) edge(group.fromLane, arrows.arrow[a], x0, y0, x1, y1);
      }
    });
    const headPaths = ARROW_FLAGS.map(() => new Path2D());
    if (drawn <= ARROW_HEADS_MAX) {
      for (let h = 0; h < drawn * 5; h += 5) arrowHead(headPaths[heads[h]], heads[h + 1], heads[h + 2], heads[h + 3], heads[h + 4]);
    }
    g.save();
    g.beginPath();
    g.rect(GUTTER_PX, top, this.plotWidth, bottom - top);
    g.clip();
    g.lineWidth = 1.25;
    ARROW_FLAGS.forEach((flag, f) => {
      g.strokeStyle = g.fillStyle = ARROW_COLORS[flag];
      g.globalAlpha = FAINT_ALPHA;
      g.setLineDash([]);
      g.stroke(faintPaths[f].lines);
      g.setLineDash([4, 3]);
      g.stroke(faintPaths[f].lost);
      g.globalAlpha = 1;
      g.setLineDash([]);
      g.stroke(paths[f].lines);
      g.fill(headPaths[f]);
      g.setLineDash([4, 3]);
      g.stroke(paths[f].lost);
    });
    g.setLineDash([]);
    g.lineWidth = 1;
    g.fillStyle = STYLE_COLORS[FAULT_STYLE];
    g.fill(struck);
    this.#drawEdgeLabels(g, model, [...labels.values()]);
    g.restore();
  }

  /** The names of the off-screen lanes arrows go to, where they leave the plot, as many as fit. */
  #drawEdgeLabels(g: CanvasRenderingContext2D, model: TraceModel, labels: EdgeLabel[]): void {
    g.font = '11px system-ui, sans-serif';
    g.textBaseline = 'middle';
    const shown: EdgeLabel[] = [];
    const ends = { top: -Infinity, bottom: -Infinity };
    for (const label of labels.sort((a, b) => a.x - b.x)) {
      if (shown.length >= EDGE_LABELS_MAX) break;
      const side = label.top ? 'top' : 'bottom';
      const lane = model.lanes[label.lane];
      const text = fitText(g, `${label.top ? '▲' : '▼'} ${lane.host} · ${lane.name}`, EDGE_LABEL_MAX_PX);
      const width = g.measureText(text).width + 8;
      const x0 = Math.min(Math.max(label.x - width / 2, GUTTER_PX), this.#width - width);
      if (x0 < ends[side] + 4) continue;
      ends[side] = x0 + width;
      label.x0 = x0;
      label.x1 = x0 + width;
      const y = label.top ? AXIS_PX + 1 : this.#bottom - EDGE_LABEL_PX - 1;
      g.fillStyle = 'rgba(255, 255, 255, 0.92)';
      g.fillRect(x0, y, width, EDGE_LABEL_PX);
      g.strokeStyle = '#8a94a3';
      g.strokeRect(x0 + 0.5, y + 0.5, width - 1, EDGE_LABEL_PX - 1);
      g.fillStyle = '#1d2430';
      g.fillText(text, x0 + 4, y + EDGE_LABEL_PX / 2);
      shown.push(label);
    }
    this.#edgeLabels = shown;
  }

  /** The bottom of the last lane row shown. */
  get #bottom(): number {
    return AXIS_PX + this.rowsVisible * LANE_PX;
  }

  /**
   * The arrow drawn last frame under (x, y): an edge label's, else the nearest line within
   * ARROW_SLACK_PX, with its end away from the pointer (the lane a label names) and where that is.
   */
  arrowAt(model: TraceModel, view: View, x: number, y: number): ArrowHit | null {
    const label = this.#edgeLabels.find((l) => {
      const y0 = l.top ? AXIS_PX + 1 : this.#bottom - EDGE_LABEL_PX - 1;
      return x >= l.x0 && x <= l.x1 && y >= y0 && y <= y0 + EDGE_LABEL_PX;
    });
    if (label) {
      const { from, to } = model.arrows[label.arrow];
      const far = to >= 0 && model.laneOf[to] === label.lane ? to : from;
      return { arrow: label.arrow, far, where: this.#whereIs(model, view, far) };
    }
    if (x < GUTTER_PX || y < AXIS_PX || y > this.#bottom) return null;
    let best = -1;
    let bestD = ARROW_SLACK_PX;
    let farIsTake = true;
    const hits = this.#hits;
    for (let h = 0; h < this.#hitCount * HIT_FIELDS; h += HIT_FIELDS) {
      const d = distanceToSegment(x, y, hits[h], hits[h + 1], hits[h + 2], hits[h + 3]);
      if (d > bestD) continue;
      bestD = d;
      best = hits[h + 4];
      farIsTake = Math.hypot(hits[h + 2] - x, hits[h + 3] - y) >= Math.hypot(hits[h] - x, hits[h + 1] - y);
    }
    if (best < 0) return null;
    const { from, to } = model.arrows[best];
    const far = farIsTake && to >= 0 ? to : from;
    return { arrow: best, far, where: this.#whereIs(model, view, far) };
  }

  /** Where record `at` is drawn, for a person: on screen, or which way to look. */
  #whereIs(model: TraceModel, view: View, at: number): string {
    const lane = model.laneOf[at];
    if (lane < 0 || Number.isNaN(this.#place[lane])) return 'on a lane the filters hide';
    const row = this.#place[lane];
    const x = this.#x(view, view.pos(model, at));
    if (row < 0) return 'scrolled out above';
    if (row >= this.rowsVisible) return 'scrolled out below';
    if (this.#rows[lane] < 0) return `folded into its host ${model.lanes[lane].host}`;
    if (x < GUTTER_PX) return 'before the view, to the left';
    if (x > this.#width) return 'after the view, to the right';
    return 'on screen';
  }

  #drawLine(g: CanvasRenderingContext2D, model: TraceModel, view: View, at: number, color: string): void {
    if (at < 0 || at >= model.records.length) return;
    const x = this.#x(view, view.pos(model, at));
    g.fillStyle = color;
    g.fillRect(x - 1, 0, 2, this.#height);
  }
}

/** Lane rows a canvas `height` px tall has room for under the axis. */
function rowsIn(height: number): number {
  return Math.max(1, Math.floor((height - AXIS_PX) / LANE_PX));
}

/** `text` cut to `width` pixels, with an ellipsis when cut. */
function fitText(g: CanvasRenderingContext2D, text: string, width: number): string {
  if (g.measureText(text).width <= width) return text;
  let n = text.length;
  while (n > 1 && g.measureText(`${text.slice(0, n)}…`).width > width) n--;
  return `${text.slice(0, n)}…`;
}

function arrowHead(path: Path2D, x0: number, y0: number, x1: number, y1: number): void {
  const angle = Math.atan2(y1 - y0, x1 - x0);
  const size = 7;
  path.moveTo(x1, y1);
  path.lineTo(x1 - size * Math.cos(angle - 0.4), y1 - size * Math.sin(angle - 0.4));
  path.lineTo(x1 - size * Math.cos(angle + 0.4), y1 - size * Math.sin(angle + 0.4));
  path.closePath();
}

/** A fault's triangle, pointing down into the lane whose top is at y. */
function triangleAt(path: Path2D, x: number, y: number): void {
  path.moveTo(x - 6, y + 2);
  path.lineTo(x + 6, y + 2);
  path.lineTo(x, y + LANE_PX - 3);
  path.closePath();
}

/** How far (x, y) is from the segment (x0, y0)–(x1, y1). */
function distanceToSegment(x: number, y: number, x0: number, y0: number, x1: number, y1: number): number {
  const dx = x1 - x0;
  const dy = y1 - y0;
  const length2 = dx * dx + dy * dy;
  const f = length2 === 0 ? 0 : Math.max(0, Math.min(1, ((x - x0) * dx + (y - y0) * dy) / length2));
  return Math.hypot(x - (x0 + f * dx), y - (y0 + f * dy));
}

function crossAt(path: Path2D, x: number, y: number): void {
  path.moveTo(x - 4, y - 4);
  path.lineTo(x + 4, y + 4);
  path.moveTo(x + 4, y - 4);
  path.lineTo(x - 4, y + 4);
}
