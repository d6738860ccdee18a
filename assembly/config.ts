// How this core instance runs: model, mechanism, the shim's error numbering and which writes
// report, fixed at init.
import { MODEL_COMPLETION, MECH_POLL } from './seam';

export let model: i32 = 0;
export let mechanism: i32 = 0;
export let codeSpace: i32 = 0;
/** Completion: a write that succeeds ends without an event (Reactor.create's writeEvents: 'failures'). */
export let quietWrites: bool = false;

export function configure(m: i32, mech: i32, codes: i32, quiet: bool): void {
  model = m;
  mechanism = mech;
  codeSpace = codes;
  quietWrites = quiet;
}

export function isCompletion(): bool {
  return model == MODEL_COMPLETION;
}
export function usesPollBits(): bool {
  return mechanism == MECH_POLL;
}
