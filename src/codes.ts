// Names of the portable error codes events carry, by the core's numbers.
import { PORTABLE_CODES } from './seam.js';

export { PORTABLE_CODES };

export type PortableCode = (typeof PORTABLE_CODES)[number];

export function portableCodeName(code: number): PortableCode {
  return PORTABLE_CODES[code] ?? 'EUNKNOWN';
}
