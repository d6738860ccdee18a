// What the bad-input suites share (bad-input.test.ts, bad-input-surface.test.ts,
// bad-input-sim.test.ts): the catalogue of bad values, and the check that a reactor refused by
// still works.
import { EventType, type Reactor } from '../src/index.js';
import { text, str } from './helpers.js';

/** A named bad value, made afresh for each use (a symbol, a detached buffer). */
export type Value = [name: string, value: () => unknown];

export const WRONG_TYPES: Value[] = [
  ['a numeric string', () => '3'],
  ['an empty string', () => ''],
  ['an object', () => ({})],
  ['an array', () => [3]],
  ['a bigint', () => 3n],
  ['null', () => null],
  ['a boolean', () => true],
  ['a symbol', () => Symbol('bad')],
  ['a function', () => () => 3],
];
export const UNDEFINED: Value[] = [['undefined', () => undefined]];
export const NOT_INTEGRAL: Value[] = [
  ['NaN', () => NaN],
  ['Infinity', () => Infinity],
  ['-Infinity', () => -Infinity],
  ['a fraction', () => 3.5],
];
export const NEGATIVE: Value[] = [
  ['-1', () => -1],
  ['-2^31', () => -(2 ** 31)],
];
export const HUGE: Value[] = [
  ['2^31', () => 2 ** 31],
  ['2^53', () => 2 ** 53],
  ['1e300', () => 1e300],
];
export const BAD_INTEGERS = [...WRONG_TYPES, ...UNDEFINED, ...NOT_INTEGRAL, ...NEGATIVE, ...HUGE];

/** The catalogue without the values named. */
export const not = (values: Value[], ...names: string[]): Value[] => values.filter(([n]) => !names.includes(n));

/** The values made, for test.each. */
export const made = (values: Value[]): [string, unknown][] => values.map(([name, value]) => [name, value()]);

/** A reactor with `a` registered for READ with context 'a', and `peer` its other end. */
export interface Refused {
  r: Reactor<string>;
  model: 'readiness' | 'completion';
  a: number;
  peer: number;
}

let round = 0;
/** A real event still arrives for `a`, with its context and the bytes just sent. */
export function stillWorks(f: Refused): void {
  const message = `still working ${++round}`;
  expect(f.r.os.send(f.peer, text(message))).toBe(message.length);
  let events: ReturnType<Reactor<string>['wait']> = [];
  for (let end = Date.now() + 3000; events.length === 0 && Date.now() < end; ) events = f.r.wait(20);
  expect(events.map((e) => [e.fd, e.context, e.type & EventType.READ])).toEqual([[f.a, 'a', EventType.READ]]);
  if (f.model === 'completion') {
    expect(str(events[0].buffer)).toBe(message);
    f.r.postRead(f.a);
  } else {
    expect(str(f.r.os.recv(f.a))).toBe(message);
  }
}
