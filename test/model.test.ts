// The real reactor against its reference model (test/model/reactor-model.ts): fast-check drives
// both with the same random sequences of add/modify/remove/postRead/postWrite/wait, peer sends
// and receives, and compares every refusal, event, byte and stats() after every step; a failure
// shrinks to a minimal sequence. Bounded here; `npm run fuzz -- --ops N` runs as many as asked.
import fc from 'fast-check';
import { MATRIX } from './helpers.js';
import { runSteps, stepArbitrary } from './model/drive.js';

const RUNS = 60;
const STEPS_MAX = 60;
describe.each(MATRIX)('%s over %s', (model, mechanism) => {
  test(`${RUNS} random sequences agree with the model, step by step`, async () => {
    await fc.assert(fc.asyncProperty(fc.array(stepArbitrary(model), { maxLength: STEPS_MAX }), async (steps) => {
      await runSteps(model, mechanism, steps);
    }), { numRuns: RUNS });
  }, 120_000);
});
