// The filters beside the timeline: event types (with their counts), record kinds, and the socket
// lanes: a name filter, and a checkbox per matching lane. Lanes are DOM (up to a limit);
// events never are.
import type { App } from './app.js';
import { EVENT_LEGEND, KIND_COLORS, KIND_BITS, SPAN_COLORS, ARROW_COLORS } from './colors.js';
import { el } from './dom.js';

/** Lane checkboxes listed at most; narrow a longer list with the name filter. */
export const LANE_LIST_MAX = 300;

const SPAN_LABELS: [keyof typeof SPAN_COLORS, string][] = [
  ['recv', 'read in flight'],
  ['send', 'write in flight'],
  ['accept', 'accept in flight'],
  ['wait', 'wait'],
];

const KIND_LABELS: [keyof typeof KIND_BITS, string, string][] = [
  ['event', 'events', '#2e9e44'],
  ['call', 'calls', KIND_COLORS.call],
  ['request', 'requests to the shim', KIND_COLORS.request],
  ['result', 'raw OS results', KIND_COLORS.result],
  ['wire', 'segments sent and taken', KIND_COLORS.segment],
  ['fault', 'injected faults', KIND_COLORS.fault],
];

const ARROW_LABELS: [keyof typeof ARROW_COLORS, string][] = [
  ['syn', 'connect → accept'],
  ['data', 'bytes: send → read'],
  ['fin', 'end of stream (FIN)'],
  ['rst', 'reset (RST)'],
];

function swatch(color: string): HTMLSpanElement {
  const span = document.createElement('span');
  span.className = 'swatch';
  span.style.background = color;
  return span;
}

function checkbox(label: string, color: string, checked: boolean, onChange: (on: boolean) => void): HTMLLabelElement {
  const row = document.createElement('label');
  const box = document.createElement('input');
  box.type = 'checkbox';
  box.checked = checked;
  box.addEventListener('change', () => onChange(box.checked));
  row.append(box, swatch(color), label);
  return row;
}

export class Sidebar {
  #lanesListed = -1;
  #names = '';

  constructor(readonly app: App) {
    const { view } = app;
    el('kinds').append(
      ...KIND_LABELS.map(([kind, label, color]) =>
        checkbox(label, color, true, (on) => {
          view.kindMask = on ? view.kindMask | KIND_BITS[kind] : view.kindMask & ~KIND_BITS[kind];
          app.redraw();
        }),
      ),
    );
    const legend = (color: string, label: string) => {
      const row = document.createElement('label');
      row.append(swatch(color), label);
      return row;
    };
    el('spans').append(
      ...SPAN_LABELS.map(([what, label]) => legend(SPAN_COLORS[what], label)),
      ...ARROW_LABELS.map(([flag, label]) => legend(ARROW_COLORS[flag], `arrow: ${label}`)),
    );
    el<HTMLInputElement>('lane-filter').addEventListener('input', () => this.#filterLanes());
  }

  /** Brings the lists up to date with the model (called when it changes or grows). */
  update(): void {
    const { model, view } = this.app;
    el('types').replaceChildren(
      ...EVENT_LEGEND.map(([bit, name, color]) => {
        const count = [...model.eventsByType].reduce((n, [type, c]) => (type & bit ? n + c : n), 0);
        return checkbox(`${name} (${count})`, color, (view.eventMask & bit) !== 0, (on) => {
          view.eventMask = on ? view.eventMask | bit : view.eventMask & ~bit;
          this.app.redraw();
        });
      }),
    );
    const names = model.lanes.map((l) => l.name).join('\n');
    if (this.#lanesListed !== model.lanes.length || names !== this.#names) this.#listLanes();
    this.#names = names;
    const select = el<HTMLSelectElement>('counter-reactor');
    const reactors = model.reactors.filter(Boolean);
    if (select.options.length !== reactors.length) {
      select.replaceChildren(...reactors.map((r) => new Option(`${r.r}: ${r.host} ${r.model}/${r.mechanism}`, String(r.r))));
    }
  }

  /** A new model: every list is rebuilt. */
  reset(): void {
    el<HTMLInputElement>('lane-filter').value = '';
    this.#lanesListed = -1;
    this.update();
  }

  /** Hides the lanes whose name does not contain the filter's text. */
  #filterLanes(): void {
    const { model, view } = this.app;
    const text = el<HTMLInputElement>('lane-filter').value;
    view.hiddenLanes.clear();
    model.lanes.forEach((lane, i) => {
      if (!lane.name.includes(text)) view.hiddenLanes.add(i);
    });
    this.#listLanes();
    this.app.redraw();
  }

  #listLanes(): void {
    const { model, view } = this.app;
    this.#lanesListed = model.lanes.length;
    const text = el<HTMLInputElement>('lane-filter').value;
    const matching = model.lanes.map((lane, i) => [lane, i] as const).filter(([lane]) => lane.name.includes(text));
    const rows: HTMLElement[] = [];
    let host: string | null = null;
    // In the timeline's order: hosts as they first appear, the network last.
    const hostAt = new Map<string, number>();
    for (const lane of model.lanes) if (!hostAt.has(lane.host)) hostAt.set(lane.host, lane.host === 'network' ? Infinity : hostAt.size);
    for (const [lane, i] of matching
      .slice(0, LANE_LIST_MAX)
      .sort(([a, ai], [b, bi]) => hostAt.get(a.host)! - hostAt.get(b.host)! || ai - bi)) {
      if (lane.host !== host) {
        host = lane.host;
        const title = document.createElement('div');
        title.className = 'host';
        title.textContent = host;
        rows.push(title);
      }
      rows.push(
        checkbox(lane.name, '#ccc', !view.hiddenLanes.has(i), (on) => {
          if (on) view.hiddenLanes.delete(i);
          else view.hiddenLanes.add(i);
          this.app.redraw();
        }),
      );
    }
    if (matching.length > LANE_LIST_MAX) {
      const more = document.createElement('div');
      more.textContent = `… and ${matching.length - LANE_LIST_MAX} more: narrow them with the filter above`;
      rows.push(more);
    }
    el('lanes').replaceChildren(...rows);
  }
}
