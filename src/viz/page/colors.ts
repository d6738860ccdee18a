// The page's palette: one color per event type, per span kind, per record kind.
import type { Span } from './model.js';

/** Events carry OR-ed flags; the mark takes the color of the most telling one. */
const EVENT_COLORS: [number, string][] = [[4, '#d62f2f'], [8, '#444444'], [16, '#9b3fd1'], [1, '#2e9e44'], [2, '#2f6fd6']];
export const EVENT_LEGEND: [number, string, string][] = [
  [1, 'READ', '#2e9e44'], [2, 'WRITE', '#2f6fd6'], [4, 'ERROR', '#d62f2f'], [8, 'CLOSE', '#444444'], [16, 'ACCEPT', '#9b3fd1'],
];

export function eventColor(type: number): string {
  return EVENT_COLORS.find(([bit]) => type & bit)?.[1] ?? '#999999';
}

export const SPAN_COLORS: Record<Span['what'], string> = {
  recv: 'rgba(46,158,68,0.25)', send: 'rgba(47,111,214,0.25)', accept: 'rgba(155,63,209,0.25)', wait: 'rgba(120,120,120,0.18)',
};

export const KIND_COLORS = { call: '#b08800', request: '#7a86b8', result: '#b87a7a', fault: '#e00000' } as const;
export const CURSOR_COLOR = '#ff8c00';
export const DIVERGENCE_COLOR = '#e00000';
