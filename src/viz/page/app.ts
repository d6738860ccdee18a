// The page's state and its drawing: the trace shown, the view on it, a compared run, and one
// redraw per animation frame at most, whose cost is measured and shown ("frame … ms").
import { TraceModel } from './model.js';
import { View, type Mode } from './view.js';
import { Timeline } from './timeline.js';
import { CounterChart } from './counters.js';
import { describe, type Tables } from './explain.js';
import { firstDivergence } from './compare.js';
import { el } from './dom.js';
import { writeState, type PageState } from './url.js';
import { showHash } from './export.js';

/** Frames whose draw time the readout takes the median of. */
const FRAME_WINDOW = 30;
/** Events per second while playing. */
const PLAY_RATE = 20;
/** The view opened on a failure spans this many times the reach back to the sends it took. */
const FAILURE_SPAN_REACHES = 4;

export class App {
  model = new TraceModel();
  readonly view = new View();
  compared: TraceModel | null = null;
  divergence = -1;
  tables: Tables | null = null;
  /** What the address keeps besides the view (the trace's source). */
  source: PageState = {};
  /** Follow new records as they arrive (the live feed), until the user moves the view. */
  following = false;
  readonly frameMs: number[] = [];
  onModelChanged: () => void = () => {};

  readonly #timeline = new Timeline(el<HTMLCanvasElement>('timeline'));
  readonly #compareTimeline = new Timeline(el<HTMLCanvasElement>('compare-timeline'));
  readonly #counters = new CounterChart(el<HTMLCanvasElement>('counters'));
  #pending = false;
  #playing: number | null = null;
  /** Whether show() has run: a frame drawn before it (a resize as the page loads) must not rewrite the address it loads from. */
  #shown = false;

  constructor() {
    // A canvas's pixels follow its size only when drawn: the window or the panels around it resized, draw again.
    const resized = new ResizeObserver(() => this.redraw());
    for (const id of ['timeline', 'compare-timeline', 'counters']) resized.observe(el(id));
  }

  get timeline(): Timeline {
    return this.#timeline;
  }

  show(model: TraceModel, state: PageState = {}): void {
    this.#shown = true;
    this.model = model;
    this.view.hiddenLanes.clear();
    this.view.collapsedHosts.clear();
    // A trace with segments opens on the flow between hosts, on a time axis.
    const mode = state.mode ?? (model.arrows.length > 0 ? 'flow' : 'timeline');
    this.setMode(mode);
    if (state.axis && mode === 'timeline') this.view.axis = state.axis;
    this.view.fit(model);
    if (state.v0 !== undefined && state.v1 !== undefined && state.v1 > state.v0) {
      this.view.v0 = state.v0;
      this.view.v1 = state.v1;
    }
    this.view.cursor = state.at !== undefined && state.at < model.records.length ? state.at : -1;
    if (model.failure && state.at === undefined) this.#jumpToFailure();
    this.#compare();
    showHash(model);
    this.onModelChanged();
    this.redraw();
  }

  /** Shows `model` under the trace, both from its first divergence on. */
  setCompared(model: TraceModel | null): void {
    this.compared = model;
    this.#compare();
    if (this.divergence >= 0) this.moveCursor(Math.min(this.divergence, this.model.records.length - 1));
    this.redraw();
  }

  /** New records of the live feed were pushed into the model. */
  grew(): void {
    if (this.following) this.view.fit(this.model);
    this.onModelChanged();
    this.redraw();
  }

  /** The flow view draws on a time axis (an arrow's slope is its latency); the timeline on either. */
  setMode(mode: Mode): void {
    this.view.mode = mode;
    if (mode === 'flow' && this.view.axis !== 'time') this.view.setAxis(this.model, 'time');
    el<HTMLSelectElement>('axis').value = this.view.axis;
    el<HTMLSelectElement>('axis').disabled = mode === 'flow';
    for (const b of document.querySelectorAll<HTMLButtonElement>('[data-mode]'))
      b.setAttribute('aria-pressed', String(b.dataset.mode === mode));
    this.redraw();
  }

  /**
   * Puts the cursor on the record where the run failed, zoomed in (on a time axis) so that the
   * segments it took, from their sends on, fill the middle of the view.
   */
  #jumpToFailure(): void {
    const { model, view } = this;
    const at = Math.min(model.failure!.at, model.records.length - 1);
    view.cursor = at;
    const p = view.pos(model, at);
    const sent = model.segmentsTakenBy(at).map((i) => model.records[i].t);
    const reach = sent.length > 0 && view.axis === 'time' ? p - Math.min(...sent) : 0;
    const span = reach > 0 ? Math.min(view.v1 - view.v0, FAILURE_SPAN_REACHES * reach) : view.v1 - view.v0;
    view.v0 = Math.max(view.pos(model, 0), p - span / 2);
    view.v1 = view.v0 + span;
  }

  moveCursor(to: number): void {
    this.view.cursor = to;
    this.view.follow(this.model);
    if (to >= 0) this.#timeline.reveal(this.model, this.view, this.model.laneOf[to]);
    this.redraw();
  }

  get playing(): boolean {
    return this.#playing !== null;
  }

  togglePlay(): void {
    if (this.#playing !== null) {
      clearInterval(this.#playing);
      this.#playing = null;
    } else {
      this.#playing = window.setInterval(() => {
        const next = this.view.step(this.model, 1);
        if (next === this.view.cursor) this.togglePlay();
        else this.moveCursor(next);
      }, 1000 / PLAY_RATE);
    }
    el('play').textContent = this.playing ? '⏸ pause' : '▶ play';
  }

  redraw(): void {
    if (this.#pending) return;
    this.#pending = true;
    requestAnimationFrame(() => {
      this.#pending = false;
      this.draw();
    });
  }

  /** Draws everything now; returns what it took, in ms. */
  draw(): number {
    const start = performance.now();
    const { model, view } = this;
    this.#timeline.draw(model, view, this.divergence);
    const reactor = Number(el<HTMLSelectElement>('counter-reactor').value || 0);
    this.#counters.draw(model, view, reactor);
    if (this.compared) {
      const other = Object.assign(new View(), {
        axis: view.axis,
        v0: view.v0,
        v1: view.v1,
        cursor: view.cursor,
        eventMask: view.eventMask,
        kindMask: view.kindMask,
      });
      this.#compareTimeline.draw(this.compared, other, this.divergence);
    }
    this.#texts(reactor);
    const took = performance.now() - start;
    this.frameMs.push(took);
    if (this.frameMs.length > FRAME_WINDOW) this.frameMs.shift();
    const sorted = [...this.frameMs].sort((a, b) => a - b);
    el('frame').textContent = `frame ${sorted[sorted.length >> 1].toFixed(2)} ms`;
    if (this.#shown) writeState({ ...this.source, at: view.cursor, axis: view.axis, mode: view.mode, v0: view.v0, v1: view.v1 });
    return took;
  }

  #compare(): void {
    this.divergence = this.compared ? firstDivergence(this.model, this.compared) : -1;
    el('compare-pane').hidden = this.compared === null;
  }

  #texts(reactor: number): void {
    const { model, view } = this;
    const timeline = this.#timeline;
    const lanes = timeline.shownLanes;
    const rows = timeline.rowsVisible;
    const scrolled =
      timeline.shownRows > rows ? ` (rows ${view.laneTop + 1}–${view.laneTop + rows} of ${timeline.shownRows}; shift+wheel scrolls)` : '';
    el('summary').textContent =
      `${lanes} lanes${scrolled} · ${model.eventCount} events · ${model.segments.length > 0 ? `${model.segments.length} segments · ${model.arrows.length} arrows · ` : ''}${model.faultCount} faults · ${model.records.length} records`;
    el('details').textContent =
      view.cursor >= 0
        ? describe(model, view.cursor, this.tables).join('\n')
        : 'Click a mark, or step (→), to see a record. Press ? for the keys.';
    el('failure').textContent = model.failure ? `✖ the run failed at record #${model.failure.at}: ${model.failure.message}` : '';
    const at = view.cursor >= 0 ? view.cursor : model.records.length - 1;
    const c = model.counterIndexAt(at, reactor);
    const rec = c >= 0 ? model.records[c] : null;
    const wire = model.wireArrivals ? ` · ${model.wireBytesAt(model.records[at]?.t ?? 0)} bytes on the wire` : '';
    el('counters-values').textContent =
      rec && rec.k === 'counters'
        ? `reactor ${reactor}: pool ${rec.poolInUse}/${rec.poolSize} in use · ready queue ${rec.readyQueued} · ${rec.bytesInFlight} bytes in flight${wire}`
        : `reactor ${reactor}: no wait has returned yet${wire}`;
    if (this.compared) {
      el('compare-summary').textContent = `${this.compared.eventCount} events · ${this.compared.records.length} records`;
      el('compare-info').textContent =
        this.divergence < 0
          ? 'The runs are identical.'
          : [
              `First divergence at record #${this.divergence}:`,
              `  shown:    ${this.divergence < model.records.length ? describe(model, this.divergence, null).slice(0, 2).join(': ') : '(ended)'}`,
              `  compared: ${this.divergence < this.compared.records.length ? describe(this.compared, this.divergence, null).slice(0, 2).join(': ') : '(ended)'}`,
            ].join('\n');
    }
  }
}
