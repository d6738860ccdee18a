// The flow view's arrows, over the lanes the timeline (timeline.ts) laid out: each segment from its
// send to each take that got its bytes, one whose far end is scrolled out or folded drawn faint to
// the plot's edge with that lane's name there; and which arrow is under the pointer, with where its
// far end is (hover it to see, click to go). Drawn from the level of detail (lod.ts), so a frame
// costs the pixels in view.
import type { TraceModel } from './model.js';
import type { View } from './view.js';
import { STYLE_COLORS, FAULT_STYLE, ARROW_COLORS } from './colors.js';
import { summaryOf, levelFor, ARROW_FLAGS } from './lod.js';
import { lowerBound } from './search.js';
import { GUTTER_PX, AXIS_PX, LANE_PX, fitText, triangleAt } from './canvas.js';

/** Arrows between the same two rows closer than this at their start and at their end are drawn as one. */
const ARROW_STEP_PX = 3;
/**
 * The same for arrows with an end off screen: long near-parallel lines to a lane out of sight add
 * raster time, not information (the pointer still finds each one drawn).
 */
const FAINT_STEP_PX = 24;
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

/** Where the timeline put the lanes this frame, as the arrows need it. */
export interface RowFrame {
  /** The canvas's CSS width. */
  width: number;
  rowsVisible: number;
  /** Each lane's row counted from the top row shown (negative above, past rowsVisible below), its host's when folded; NaN: hidden. */
  place: Float64Array;
  /** Each lane's row on screen, -1 when not drawn there (scrolled out, folded, hidden). */
  rows: Int32Array;
}

/** A frame's arrows as paths, per ARROW_FLAGS entry: taken (lines) and never taken (lost). */
interface Ink {
  paths: { lines: Path2D; lost: Path2D }[];
  faintPaths: { lines: Path2D; lost: Path2D }[];
  struck: Path2D;
  /** Arrowheads in #heads. */
  drawn: number;
}

export class FlowArrows {
  /** Arrowheads of this frame as [flag, x0, y0, x1, y1], reused from frame to frame. */
  readonly #heads = new Float64Array(ARROW_HEADS_MAX * 5);
  /** The arrows drawn this frame, HIT_FIELDS each, for the pointer. */
  readonly #hits = new Float64Array(ARROW_HITS_MAX * HIT_FIELDS);
  #hitCount = 0;
  #edgeLabels: EdgeLabel[] = [];
  #frame: RowFrame = { width: 0, rowsVisible: 1, place: new Float64Array(0), rows: new Int32Array(0) };

  /**
   * Each segment sent in view (or reaching into it) as a line from its send to each take that got
   * its bytes, its slope the latency; a segment never taken ends, dashed, where it reached the peer.
   * A lane scrolled out keeps its place above or below (a folded one its host's row): the line runs
   * to the plot's edge, where that lane's name is written. One arrow per ARROW_STEP_PX of start and
   * of end, pair of lanes and kind: past that, more lines add only ink.
   */
  draw(g: CanvasRenderingContext2D, model: TraceModel, view: View, frame: RowFrame): void {
    this.#frame = frame;
    const summary = summaryOf(model);
    const scale = (this.#width - GUTTER_PX) / (view.v1 - view.v0);
    const k = levelFor('time', 1 / scale);
    const top = AXIS_PX;
    const bottom = this.#bottom;
    const yOf = (lane: number): number => (lane < 0 ? Number.NaN : AXIS_PX + this.#frame.place[lane] * LANE_PX + LANE_PX / 2);
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
      const faint = off(y0) || off(y1);
      const path = (faint ? faintPaths : paths)[group.flag];
      const stepPx = faint ? FAINT_STEP_PX : ARROW_STEP_PX;
      let lastStep = -Infinity;
      let lastEndStep = -Infinity;
      for (let a = lowerBound(arrows.start, arrows.count, view.v0 - group.longestMs); a < arrows.count; a++) {
        const x0 = GUTTER_PX + (arrows.start[a] - view.v0) * scale;
        // A take reported before its send (natively, a completion's) reaches back from the right.
        if (x0 > this.#width + group.longestMs * scale) break;
        const x1 = GUTTER_PX + (arrows.end[a] - view.v0) * scale;
        const step = Math.floor(x0 / stepPx);
        const endStep = Math.floor(x1 / stepPx);
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
    this.#paint(g, { paths, faintPaths, struck, drawn });
    this.#drawEdgeLabels(g, model, [...labels.values()]);
  }

  /** Strokes a frame's arrows, faint ones under the others, inside the lanes shown. */
  #paint(g: CanvasRenderingContext2D, { paths, faintPaths, struck, drawn }: Ink): void {
    const heads = this.#heads;
    const headPaths = ARROW_FLAGS.map(() => new Path2D());
    if (drawn <= ARROW_HEADS_MAX) {
      for (let h = 0; h < drawn * 5; h += 5) arrowHead(headPaths[heads[h]], heads[h + 1], heads[h + 2], heads[h + 3], heads[h + 4]);
    }
    const top = AXIS_PX;
    const bottom = this.#bottom;
    g.save();
    g.beginPath();
    g.rect(GUTTER_PX, top, this.#width - GUTTER_PX, bottom - top);
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
    return AXIS_PX + this.#frame.rowsVisible * LANE_PX;
  }

  get #width(): number {
    return this.#frame.width;
  }

  #x(view: View, p: number): number {
    return GUTTER_PX + ((p - view.v0) / (view.v1 - view.v0)) * (this.#width - GUTTER_PX);
  }

  /**
   * The arrow drawn last frame under (x, y): an edge label's, else the nearest line within
   * ARROW_SLACK_PX, with its end away from the pointer (the lane a label names) and where that is.
   */
  at(model: TraceModel, view: View, x: number, y: number): ArrowHit | null {
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
    if (lane < 0 || Number.isNaN(this.#frame.place[lane])) return 'on a lane the filters hide';
    const row = this.#frame.place[lane];
    const x = this.#x(view, view.pos(model, at));
    if (row < 0) return 'scrolled out above';
    if (row >= this.#frame.rowsVisible) return 'scrolled out below';
    if (this.#frame.rows[lane] < 0) return `folded into its host ${model.lanes[lane].host}`;
    if (x < GUTTER_PX) return 'before the view, to the left';
    if (x > this.#width) return 'after the view, to the right';
    return 'on screen';
  }
}

function arrowHead(path: Path2D, x0: number, y0: number, x1: number, y1: number): void {
  const angle = Math.atan2(y1 - y0, x1 - x0);
  const size = 7;
  path.moveTo(x1, y1);
  path.lineTo(x1 - size * Math.cos(angle - 0.4), y1 - size * Math.sin(angle - 0.4));
  path.lineTo(x1 - size * Math.cos(angle + 0.4), y1 - size * Math.sin(angle + 0.4));
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
