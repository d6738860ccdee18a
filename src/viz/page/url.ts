// The page's address keeps what a shared link must reproduce: the trace's source (file URL, live,
// or scenario, seed, model and planted bug), the compared run, the cursor and the visible range.
import type { Axis, Mode } from './view.js';

export interface PageState {
  trace?: string;
  live?: boolean;
  scenario?: string;
  seed?: number;
  model?: 'readiness' | 'completion';
  /** The scenario's planted bug the run enables (io-reactor sim --bug). */
  bug?: string;
  compareSeed?: number;
  compareModel?: 'readiness' | 'completion';
  at?: number;
  axis?: Axis;
  mode?: Mode;
  v0?: number;
  v1?: number;
}

const model = (s: string | null): PageState['model'] => (s === 'readiness' || s === 'completion' ? s : undefined);
const num = (s: string | null): number | undefined => (s === null || s === '' || !Number.isFinite(Number(s)) ? undefined : Number(s));

export function readState(search: string): PageState {
  const q = new URLSearchParams(search);
  return {
    trace: q.get('trace') ?? undefined,
    live: q.has('live'),
    scenario: q.get('scenario') ?? undefined,
    seed: num(q.get('seed')),
    model: model(q.get('model')),
    bug: q.get('bug') || undefined,
    compareSeed: num(q.get('compare')),
    compareModel: model(q.get('compareModel')),
    at: num(q.get('at')),
    axis: q.get('axis') === 'time' ? 'time' : q.get('axis') === 'seq' ? 'seq' : undefined,
    mode: q.get('view') === 'flow' ? 'flow' : q.get('view') === 'timeline' ? 'timeline' : undefined,
    v0: num(q.get('v0')),
    v1: num(q.get('v1')),
  };
}

/** The address changes at most this often: browsers throttle history updates. */
const WRITE_INTERVAL_MS = 250;
let pending: PageState | null = null;

/** Puts `state` in the address, soon (the latest state wins). */
export function writeState(state: PageState): void {
  if (pending === null)
    setTimeout(() => {
      writeNow(pending!);
      pending = null;
    }, WRITE_INTERVAL_MS);
  pending = state;
}

function writeNow(state: PageState): void {
  const q = new URLSearchParams();
  if (state.trace) q.set('trace', state.trace);
  if (state.live) q.set('live', '');
  if (state.scenario) q.set('scenario', state.scenario);
  if (state.seed !== undefined) q.set('seed', String(state.seed));
  if (state.model) q.set('model', state.model);
  if (state.bug) q.set('bug', state.bug);
  if (state.compareSeed !== undefined) q.set('compare', String(state.compareSeed));
  if (state.compareModel) q.set('compareModel', state.compareModel);
  if (state.at !== undefined && state.at >= 0) q.set('at', String(state.at));
  if (state.axis) q.set('axis', state.axis);
  if (state.mode) q.set('view', state.mode);
  if (state.v0 !== undefined && state.v1 !== undefined) {
    q.set('v0', String(+state.v0.toFixed(4)));
    q.set('v1', String(+state.v1.toFixed(4)));
  }
  const next = `?${q.toString().replace(/live=(&|$)/, 'live$1')}`;
  if (next !== location.search) history.replaceState(null, '', next);
}
