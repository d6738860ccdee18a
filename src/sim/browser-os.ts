// Stands in for node:os in the page's bundle: the errno numbers the simulated kernel reports
// (src/sim/kernel.ts E), for the error names of src/errors.ts.
import { E } from './kernel.js';

export const constants = { errno: E };
