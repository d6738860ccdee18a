// Runs a scenario's seed in the page, on the same core.wasm and emscripten-built shim as Node,
// and shows its trace; a second seed or model runs beside it for comparison.
import { TraceModel } from './model.js';
import type { Model } from '../../model.js';
import type { App } from './app.js';
import type { PageState } from './url.js';
import { el, showError } from './dom.js';

export function bindSimulation(app: App, onShown: () => void): (state: PageState) => Promise<void> {
  const scenario = el<HTMLSelectElement>('scenario');
  // The simulator sits behind its own door (src/sim/): reached by import(), like the CLI's sim command.
  const simulator = import('../../sim/scenarios/run-traced.js').then((m) => {
    scenario.replaceChildren(...m.SCENARIO_NAMES.map((name) => new Option(name, name)));
    return m;
  });
  const run = async (state: PageState): Promise<void> => {
    const { runScenario } = await simulator;
    const name = state.scenario ?? scenario.value;
    const seed = state.seed ?? 1;
    const model: Model = state.model ?? 'readiness';
    const status = el('run-status');
    status.textContent = `running ${name} seed ${seed} (${model})…`;
    try {
      const first = await runScenario(name, seed, model);
      app.source = { scenario: name, seed, model, compareSeed: state.compareSeed, compareModel: state.compareModel };
      app.show(TraceModel.of(first.trace), state);
      onShown();
      const verdict = first.outcome.ok ? 'ok' : `failed: ${first.outcome.failure}`;
      status.textContent = `${name} seed ${seed} (${model}): ${verdict}`;
      if (state.compareSeed !== undefined || state.compareModel !== undefined) {
        const other = await runScenario(name, state.compareSeed ?? seed, state.compareModel ?? model);
        app.setCompared(TraceModel.of(other.trace));
      } else app.setCompared(null);
      showError('');
    } catch (e) {
      status.textContent = '';
      showError((e as Error).message);
    }
  };
  el('run').onclick = () => {
    const compare = el<HTMLInputElement>('compare-seed').value;
    const compareModel = el<HTMLSelectElement>('compare-model').value;
    void run({
      scenario: scenario.value,
      seed: Number(el<HTMLInputElement>('seed').value),
      model: el<HTMLSelectElement>('model').value as Model,
      compareSeed: compare === '' ? undefined : Number(compare),
      compareModel: compareModel === '' ? undefined : (compareModel as Model),
    });
  };
  return async (state) => {
    await simulator;
    if (state.scenario) scenario.value = state.scenario;
    if (state.seed !== undefined) el<HTMLInputElement>('seed').value = String(state.seed);
    if (state.model) el<HTMLSelectElement>('model').value = state.model;
    if (state.compareSeed !== undefined) el<HTMLInputElement>('compare-seed').value = String(state.compareSeed);
    if (state.compareModel) el<HTMLSelectElement>('compare-model').value = state.compareModel;
    await run(state);
  };
}
