// How this core instance runs: model, mechanism and the shim's error numbering, fixed at init.
import { MODEL_COMPLETION, MECH_POLL } from './seam';

export let model: i32 = 0;
export let mechanism: i32 = 0;
export let codeSpace: i32 = 0;

export function configure(m: i32, mech: i32, codes: i32): void {
  model = m;
  mechanism = mech;
  codeSpace = codes;
}

export function isCompletion(): bool {
  return model == MODEL_COMPLETION;
}
export function usesPollBits(): bool {
  return mechanism == MECH_POLL;
}
