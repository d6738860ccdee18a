// The page's palette and each record's style: one color per event type (the most telling flag of
// an OR-ed mask wins), one per record kind, one per kind of bar.
import type { Span } from './span.js';
import type { TraceRecord } from '../../trace/format.js';

export const EVENT_LEGEND: [number, string, string][] = [
  [1, 'READ', '#2e9e44'],
  [2, 'WRITE', '#2f6fd6'],
  [4, 'ERROR', '#d62f2f'],
  [8, 'CLOSE', '#444444'],
  [16, 'ACCEPT', '#9b3fd1'],
];
/** Style ids 0–4 are events, by the flag that colors them. */
const EVENT_PRIORITY = [4, 8, 16, 1, 2];
export const KIND_COLORS = {
  call: '#b08800',
  request: '#7a86b8',
  result: '#b87a7a',
  segment: '#0f8a8a',
  take: '#0f8a8a',
  fault: '#e00000',
} as const;
const KIND_STYLE = { call: 5, request: 6, result: 7, segment: 8, take: 9, fault: 10, counters: 11 } as const;
export const FAULT_STYLE = KIND_STYLE.fault;
export const SEGMENT_STYLE = KIND_STYLE.segment;

export const STYLE_COLORS: string[] = [
  ...EVENT_PRIORITY.map((bit) => EVENT_LEGEND.find(([b]) => b === bit)![2]),
  KIND_COLORS.call,
  KIND_COLORS.request,
  KIND_COLORS.result,
  KIND_COLORS.segment,
  KIND_COLORS.take,
  KIND_COLORS.fault,
  '',
];
/** Record kinds as bits, for the kind filter: event, call, request, result, fault, wire (segment and take). */
export const KIND_BITS = { event: 1, call: 2, request: 4, result: 8, fault: 16, wire: 32 } as const;
export const ALL_KIND_BITS = 63;
/** Each style's kind bit; counters (0) are never drawn as marks. */
export const STYLE_KIND: number[] = [1, 1, 1, 1, 1, 2, 4, 8, 32, 32, 16, 0];
export const FIRST_KIND_STYLE = KIND_STYLE.call;

/** Arrows of the flow view, by what the segment carried; a lost one (never taken) is dashed. */
export const ARROW_COLORS = { syn: '#9b3fd1', data: '#1f7a7a', fin: '#444444', rst: '#d62f2f' } as const;

/** An event's style by its type flags (0–31): the most telling flag's. */
export const EVENT_STYLE: number[] = Array.from({ length: 32 }, (_, type) =>
  Math.max(
    0,
    EVENT_PRIORITY.findIndex((bit) => type & bit),
  ),
);

export function styleOf(rec: TraceRecord): number {
  if (rec.k === 'label') return KIND_STYLE.counters;
  return rec.k === 'event' ? EVENT_STYLE[rec.type] : KIND_STYLE[rec.k];
}

export const SPAN_COLORS: Record<Span['what'], string> = {
  recv: 'rgba(46,158,68,0.25)',
  send: 'rgba(47,111,214,0.25)',
  accept: 'rgba(155,63,209,0.25)',
  wait: 'rgba(120,120,120,0.18)',
};

export const CURSOR_COLOR = '#ff8c00';
export const DIVERGENCE_COLOR = '#e00000';
