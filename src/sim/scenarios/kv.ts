// The kv scenario: the HTTP key-value service (kv-service.ts) on host 'kv' and `size` clients
// (default 3) on their own hosts, all on io-reactor/net over node:http. Each client writes its
// keys and reads every write back; a value that comes back different fails the run. Planted bug
// 'first-chunk-only' loses the tail of a PUT body that arrives in two reads, which a partial write
// (a sweep's default fault) brings about.
import type { Scenario, ScenarioParams, ScenarioOutcome } from '../scenario.js';
import type { Simulation } from '../simulation.js';

export const KV_CLIENTS_MAX = 50;
const KV_BUG_NAMES = ['first-chunk-only'] as const;
// Node's http does not run in the page: the service loads when a run starts, in Node.
const KV_RUN_MODULE = './kv-run.js';

export const kv: Scenario = {
  name: 'kv',
  maxSize: KV_CLIENTS_MAX,
  bugs: KV_BUG_NAMES,
  nodeOnly: true,
  // io-reactor/net runs on a readiness reactor, over the simulation's default mechanism.
  flavors: [{ model: 'readiness', mechanism: 'epoll' }],
  description: `an HTTP key-value service on node:http and io-reactor/net; size clients (default 3) write keys and read them back. Planted bug: ${KV_BUG_NAMES.join(', ')}`,
  async run(sim: Simulation, params: ScenarioParams): Promise<ScenarioOutcome> {
    const { runKv } = (await import(KV_RUN_MODULE)) as typeof import('./kv-run.js');
    return runKv(sim, params);
  },
};
