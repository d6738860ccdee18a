// The filters beside the timeline: event types (with their counts), record kinds, and one
// checkbox per socket lane. Lanes are few (one per socket), so they are DOM; events never are.
import type { App } from './app.js';
import type { RecordKind } from './view.js';
import { EVENT_LEGEND, KIND_COLORS, SPAN_COLORS } from './colors.js';
import { el } from './dom.js';

const SPAN_LABELS: [keyof typeof SPAN_COLORS, string][] = [
  ['recv', 'read in flight'], ['send', 'write in flight'], ['accept', 'accept in flight'], ['wait', 'wait'],
];

const KIND_LABELS: [RecordKind, string, string][] = [
  ['event', 'events', '#2e9e44'], ['call', 'calls', KIND_COLORS.call], ['request', 'requests to the shim', KIND_COLORS.request],
  ['result', 'raw OS results', KIND_COLORS.result], ['fault', 'injected faults', KIND_COLORS.fault],
];

function checkbox(label: string, color: string, checked: boolean, onChange: (on: boolean) => void): HTMLLabelElement {
  const row = document.createElement('label');
  const box = document.createElement('input');
  box.type = 'checkbox';
  box.checked = checked;
  box.addEventListener('change', () => onChange(box.checked));
  const swatch = document.createElement('span');
  swatch.className = 'swatch';
  swatch.style.background = color;
  row.append(box, swatch, label);
  return row;
}

export class Sidebar {
  #lanesShown = -1;

  constructor(readonly app: App) {
    const kinds = el('kinds');
    for (const [kind, label, color] of KIND_LABELS) {
      kinds.append(checkbox(label, color, true, (on) => {
        if (on) app.view.kinds.add(kind); else app.view.kinds.delete(kind);
        app.redraw();
      }));
    }
    el('spans').replaceChildren(...SPAN_LABELS.map(([what, label]) => {
      const row = document.createElement('label');
      const swatch = document.createElement('span');
      swatch.className = 'swatch';
      swatch.style.background = SPAN_COLORS[what];
      row.append(swatch, label);
      return row;
    }));
  }

  /** Brings the lists up to date with the model (called when it changes or grows). */
  update(): void {
    const { model, view } = this.app;
    const types = el('types');
    types.replaceChildren(...EVENT_LEGEND.map(([bit, name, color]) => {
      const count = [...model.eventsByType].reduce((n, [type, c]) => (type & bit ? n + c : n), 0);
      return checkbox(`${name} (${count})`, color, (view.eventMask & bit) !== 0, (on) => {
        view.eventMask = on ? view.eventMask | bit : view.eventMask & ~bit;
        this.app.redraw();
      });
    }));
    if (this.#lanesShown !== model.lanes.length) {
      this.#lanesShown = model.lanes.length;
      el('lanes').replaceChildren(...model.lanes.map((lane, i) => checkbox(lane.name, '#ccc', !view.hiddenLanes.has(i), (on) => {
        if (on) view.hiddenLanes.delete(i); else view.hiddenLanes.add(i);
        this.app.redraw();
      })));
    }
    const select = el<HTMLSelectElement>('counter-reactor');
    const reactors = model.reactors.filter(Boolean);
    if (select.options.length !== reactors.length) {
      select.replaceChildren(...reactors.map((r) => new Option(`${r.r}: ${r.host} ${r.model}/${r.mechanism}`, String(r.r))));
    }
  }

  /** A new model: every list is rebuilt. */
  reset(): void {
    this.#lanesShown = -1;
    this.update();
  }
}
