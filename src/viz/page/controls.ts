// Input: the view toggle, the transport buttons, jump, zoom and pan (wheel, drag, keys), click to
// select a record or fold a host, a hover tip with what a record means, and the keys' help (?).
import type { App } from './app.js';
import type { Axis, Mode } from './view.js';
import { describe, describeArrow } from './explain.js';
import { downloadChromeTrace } from './export.js';
import { el, showError } from './dom.js';
import { GUTTER_PX } from './canvas.js';
import type { ArrowHit } from './arrows.js';
import { lowerBound } from './search.js';

const ZOOM_STEP = 0.8;
const PAN_STEP = 0.2;

export function bindControls(app: App): void {
  const { view } = app;
  const act = (f: () => void) => () => {
    app.following = false;
    f();
    app.redraw();
  };
  el('first').onclick = act(() => app.moveCursor(firstEvent(app)));
  el('back').onclick = act(() => app.moveCursor(view.step(app.model, -1)));
  el('forward').onclick = act(() => app.moveCursor(view.step(app.model, 1)));
  el('last').onclick = act(() => app.moveCursor(lastEvent(app)));
  el('play').onclick = () => app.togglePlay();
  el('export').onclick = () => downloadChromeTrace(app.model);
  el('zoom-in').onclick = act(() => view.zoom(ZOOM_STEP, (view.v0 + view.v1) / 2));
  el('zoom-out').onclick = act(() => view.zoom(1 / ZOOM_STEP, (view.v0 + view.v1) / 2));
  el('fit').onclick = act(() => view.fit(app.model));
  el('go').onclick = act(() => jump(app, el<HTMLInputElement>('jump').value));
  el<HTMLInputElement>('jump').onkeydown = (e) => {
    if (e.key === 'Enter') el('go').click();
  };
  el<HTMLSelectElement>('axis').onchange = act(() => view.setAxis(app.model, el<HTMLSelectElement>('axis').value as Axis));
  el<HTMLSelectElement>('counter-reactor').onchange = () => app.redraw();
  for (const b of document.querySelectorAll<HTMLButtonElement>('[data-mode]')) b.onclick = () => app.setMode(b.dataset.mode as Mode);
  el('failure').onclick = act(() => {
    if (app.model.failure) app.moveCursor(Math.min(app.model.failure.at, app.model.records.length - 1));
  });
  const help = el<HTMLDialogElement>('keys');
  el('help').onclick = () => help.showModal();
  help.onclick = () => help.close();
  document.addEventListener('keydown', (e) => {
    if (e.target instanceof HTMLInputElement || e.target instanceof HTMLSelectElement || help.open) return;
    const page = () => app.timeline.rowsVisible;
    const keys: Record<string, () => void> = {
      ArrowRight: () => el('forward').click(),
      ArrowLeft: () => el('back').click(),
      Home: () => el('first').click(),
      End: () => el('last').click(),
      ' ': () => el('play').click(),
      '+': () => el('zoom-in').click(),
      '=': () => el('zoom-in').click(),
      '-': () => el('zoom-out').click(),
      '0': () => el('fit').click(),
      a: act(() => view.pan(-(view.v1 - view.v0) * PAN_STEP)),
      d: act(() => view.pan((view.v1 - view.v0) * PAN_STEP)),
      PageDown: act(() => {
        view.laneTop += page();
      }),
      PageUp: act(() => {
        view.laneTop -= page();
      }),
      f: () => app.setMode('flow'),
      t: () => app.setMode('timeline'),
      x: () => el('failure').click(),
      o: () => el('file').click(),
      '?': () => help.showModal(),
    };
    if (keys[e.key]) {
      e.preventDefault();
      keys[e.key]();
    }
  });
  bindCanvas(app);
}

function firstEvent(app: App): number {
  app.view.cursor = -1;
  return app.view.step(app.model, 1);
}

function lastEvent(app: App): number {
  app.view.cursor = app.model.records.length;
  const at = app.view.step(app.model, -1);
  return at === app.model.records.length ? -1 : at;
}

/** "#123" (or "123") is a record, "12.5ms" a time. */
function jump(app: App, text: string): void {
  const { model } = app;
  const time = /^\s*([\d.]+)\s*ms\s*$/.exec(text);
  const record = /^\s*#?(\d+)\s*$/.exec(text);
  if (!time && !record) return showError(`jump: "${text}" is neither a record (#123) nor a time (12.5ms)`);
  showError('');
  const at = record
    ? Math.min(Number(record[1]), model.records.length - 1)
    : Math.min(lowerBound(model.times, model.times.length, Number(time![1])), model.records.length - 1);
  app.moveCursor(at);
}

/** The arrow under the pointer, in the flow view. */
function arrowUnder(app: App, e: MouseEvent): ArrowHit | null {
  return app.view.mode === 'flow' ? app.timeline.arrowAt(app.model, app.view, e.offsetX, e.offsetY) : null;
}

function bindCanvas(app: App): void {
  const canvas = el<HTMLCanvasElement>('timeline');
  const tip = el('tip');
  let drag: { x: number; v0: number; moved: boolean } | null = null;
  canvas.addEventListener(
    'wheel',
    (e) => {
      e.preventDefault();
      app.following = false;
      // Over the lane names, or with shift, the wheel scrolls the lanes; over the plot it zooms.
      if (e.shiftKey || e.offsetX < GUTTER_PX) app.view.laneTop += Math.sign(e.deltaY || e.deltaX) * 3;
      else app.view.zoom(e.deltaY > 0 ? 1 / ZOOM_STEP : ZOOM_STEP, app.timeline.posAt(app.view, e.offsetX));
      app.redraw();
    },
    { passive: false },
  );
  canvas.addEventListener('mousedown', (e) => {
    drag = { x: e.offsetX, v0: app.view.v0, moved: false };
  });
  window.addEventListener('mouseup', (e) => {
    if (drag && !drag.moved && e.target === canvas) {
      const host = e.offsetX < GUTTER_PX ? app.timeline.headerAt(e.offsetY) : null;
      if (host !== null) {
        if (!app.view.collapsedHosts.delete(host)) app.view.collapsedHosts.add(host);
        app.redraw();
      }
      const at = app.timeline.hit(app.model, app.view, e.offsetX, e.offsetY);
      // Off a mark, an arrow takes the click to its far end: the lane scrolled out, folded or off to the side.
      const arrow = at < 0 && host === null ? arrowUnder(app, e) : null;
      const to = at >= 0 ? at : (arrow?.far ?? -1);
      if (to >= 0) {
        app.following = false;
        app.moveCursor(to);
      }
    }
    drag = null;
  });
  canvas.addEventListener('mousemove', (e) => {
    if (drag && Math.abs(e.offsetX - drag.x) > 2) {
      drag.moved = true;
      app.following = false;
      const perPx = (app.view.v1 - app.view.v0) / app.timeline.plotWidth;
      app.view.pan(drag.v0 - (e.offsetX - drag.x) * perPx - app.view.v0);
      app.redraw();
    }
    const at = app.timeline.hit(app.model, app.view, e.offsetX, e.offsetY);
    const arrow = at < 0 ? arrowUnder(app, e) : null;
    tip.style.display = at >= 0 || arrow ? 'block' : 'none';
    canvas.style.cursor = arrow ? 'pointer' : '';
    if (at >= 0 || arrow) {
      tip.textContent = (arrow ? describeArrow(app.model, arrow.arrow, arrow.far, arrow.where) : describe(app.model, at, app.tables)).join(
        '\n',
      );
      // Beside the pointer, and inside the window: a tip near the right or bottom edge goes to the other side.
      const left = e.clientX + 12 + tip.offsetWidth > window.innerWidth ? e.clientX - 12 - tip.offsetWidth : e.clientX + 12;
      const top = e.clientY + 12 + tip.offsetHeight > window.innerHeight ? e.clientY - 12 - tip.offsetHeight : e.clientY + 12;
      tip.style.left = `${Math.max(0, left)}px`;
      tip.style.top = `${Math.max(0, top)}px`;
    }
  });
  canvas.addEventListener('mouseleave', () => {
    tip.style.display = 'none';
  });
}
