// The page's outputs: the shown trace's hash (traceHash, the same figure Node computes) and its
// Chrome Trace Event JSON for Perfetto, downloaded as a file.
import { traceHash } from '../../trace/hash.js';
import { toChromeTrace } from '../../trace/chrome.js';
import type { TraceModel } from './model.js';
import { el } from './dom.js';

/** Shows the model's hash once the page has drawn (hashing a long trace takes a moment). */
export function showHash(model: TraceModel): void {
  const out = el('hash');
  if (model.source === null) {
    out.textContent = '– (live: still growing)';
    return;
  }
  out.textContent = 'hashing…';
  setTimeout(() => {
    out.textContent = traceHash(model.source!);
  }, 0);
}

export function downloadChromeTrace(model: TraceModel): void {
  const json = JSON.stringify(toChromeTrace(model.toTrace()));
  const link = document.createElement('a');
  link.href = URL.createObjectURL(new Blob([json], { type: 'application/json' }));
  link.download = `io-reactor-trace${model.seed === null ? '' : `-seed-${model.seed}`}.chrome.json`;
  link.click();
  setTimeout(() => URL.revokeObjectURL(link.href), 0);
}
