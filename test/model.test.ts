// The real reactor against its reference model (test/model/reactor-model.ts): fast-check drives
// both with the same random sequences of add/modify/remove/postRead/postWrite/wait/destroy, peer
// sends, closes and resets, fd closes, wakeups and small maxEvents, on every model × mechanism ×
// backend, and compares every refusal, event, byte and stats() after every step; a failure
// shrinks to a minimal sequence. Bounded here; `npm run fuzz -- --ops N` runs as many as asked.
import fc from 'fast-check';
import { FULL_MATRIX } from './helpers.js';
import { releaseReactors, runSteps, sequenceArbitrary } from './model/drive.js';

const RUNS = 60;
const STEPS_MAX = 60;

afterAll(releaseReactors);

describe.each(FULL_MATRIX)('%s over %s (%s)', (model, mechanism, backend) => {
  test(`${RUNS} random sequences agree with the model, step by step`, async () => {
    await fc.assert(
      fc.asyncProperty(sequenceArbitrary(model, STEPS_MAX), async (sequence) => {
        await runSteps([model, mechanism, backend], sequence);
      }),
      { numRuns: RUNS },
    );
  }, 120_000);
});
