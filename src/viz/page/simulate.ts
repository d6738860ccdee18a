// Runs a scenario's seed in the page, on the same core.wasm and emscripten-built shim as Node, as
// `io-reactor sim <scenario> --seed S [--bug B] --trace FILE` runs it (the same trace, a failure
// marked), and shows its trace; a second seed or model runs beside it for comparison.
import { TraceModel } from './model.js';
import type { Model } from '../../model.js';
import type { App } from './app.js';
import type { PageState } from './url.js';
import { el, showError } from './dom.js';
import { checkIntegerIn } from '../../validate.js';

/** The simulator sits behind its own door (src/sim/): reached by import(), like the CLI's sim command. */
async function loadSimulator() {
  const [traced, seeds, config, all, random] = await Promise.all([
    import('../../sim/scenarios/run-traced.js'),
    import('../../sim/cli/run-seed.js'),
    import('../../sim/cli/config.js'),
    import('../../sim/scenarios/index.js'),
    import('../../sim/random.js'),
  ]);
  return {
    names: traced.SCENARIO_NAMES,
    maxSeed: random.MAX_SEED,
    bugsOf: (name: string): readonly string[] => all.scenarios[name]?.bugs ?? [],
    /** One seed as the CLI's sim command runs it with --seed and --trace: its default faults and latency. */
    run: (scenario: string, seed: number, model: Model, bug: string | undefined) =>
      seeds.runSeed({ scenario, model, bug, faults: config.DEFAULT_FAULTS, latencyMs: config.SWEEP_LATENCY_MS }, seed, undefined, 'trace'),
  };
}

export function bindSimulation(app: App, onShown: () => void): (state: PageState) => Promise<void> {
  const scenario = el<HTMLSelectElement>('scenario');
  const bugs = el<HTMLSelectElement>('bug');
  const simulator = loadSimulator().then((sim) => {
    scenario.replaceChildren(...sim.names.map((name) => new Option(name, name)));
    return sim;
  });
  /** The bug choice offers the scenario's planted bugs. */
  const offerBugs = (sim: Awaited<typeof simulator>, chosen = ''): void => {
    const planted = sim.bugsOf(scenario.value);
    bugs.replaceChildren(new Option('none', ''), ...planted.map((name) => new Option(name, name)));
    bugs.value = planted.includes(chosen) ? chosen : '';
    bugs.disabled = planted.length === 0;
  };
  void simulator.then((sim) => offerBugs(sim));
  scenario.onchange = () => void simulator.then((sim) => offerBugs(sim));
  const run = async (state: PageState): Promise<void> => {
    const sim = await simulator;
    const name = state.scenario ?? scenario.value;
    const seed = state.seed ?? 1;
    const model: Model = state.model ?? 'readiness';
    const { bug } = state;
    const status = el('run-status');
    const what = `${name} seed ${seed} (${model}${bug ? `, bug ${bug}` : ''})`;
    try {
      checkIntegerIn(seed, 0, sim.maxSeed, 'seed', `run ${name}`);
      if (!sim.names.includes(name)) throw new Error(`no scenario "${name}" runs in the page: pick one of ${sim.names.join(', ')}`);
      const planted = sim.bugsOf(name);
      if (bug !== undefined && !planted.includes(bug)) {
        throw new Error(
          `scenario ${name} has ${planted.length > 0 ? `the planted bugs ${planted.join(', ')}` : 'no planted bugs'}, not "${bug}": pick one in "bug"`,
        );
      }
      status.textContent = `running ${what}…`;
      const first = await sim.run(name, seed, model, bug);
      app.source = { scenario: name, seed, model, bug, compareSeed: state.compareSeed, compareModel: state.compareModel };
      app.show(TraceModel.of(first.trace!), state);
      onShown();
      status.textContent = `${what}: ${first.ok ? 'ok' : `failed: ${first.failure}`}`;
      if (state.compareSeed !== undefined || state.compareModel !== undefined) {
        const other = await sim.run(name, state.compareSeed ?? seed, state.compareModel ?? model, bug);
        app.setCompared(TraceModel.of(other.trace!));
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
      bug: bugs.value === '' ? undefined : bugs.value,
      compareSeed: compare === '' ? undefined : Number(compare),
      compareModel: compareModel === '' ? undefined : (compareModel as Model),
    });
  };
  return async (state) => {
    const sim = await simulator;
    if (state.scenario) scenario.value = state.scenario;
    offerBugs(sim, state.bug);
    if (state.seed !== undefined) el<HTMLInputElement>('seed').value = String(state.seed);
    if (state.model) el<HTMLSelectElement>('model').value = state.model;
    if (state.compareSeed !== undefined) el<HTMLInputElement>('compare-seed').value = String(state.compareSeed);
    if (state.compareModel) el<HTMLSelectElement>('compare-model').value = state.compareModel;
    await run(state);
  };
}
