// One run of the kv scenario (kv.ts): the service on host 'kv', each client on its own host.
import '../host-net.js';
import type { ScenarioParams, ScenarioOutcome } from '../scenario.js';
import type { Simulation } from '../simulation.js';
import { runPrograms, type Program } from './programs.js';
import { kvServer, KvClient } from './kv-service.js';

export const KV_PORT = 80;
const DEFAULT_CLIENTS = 3;
/** Writes (each read back) per client. */
const KV_ROUNDS = 6;

/** Client c's value in round r: a few KiB, so a body often takes more than one segment. */
const valueFor = (c: number, r: number): string =>
  `${c}:${r}:` + String.fromCharCode(97 + ((c * 7 + r) % 26)).repeat(1000 + ((c * 131 + r * 71) % 3000));

function client(sim: Simulation, id: number): Program {
  const program: Program = {
    name: `kv client ${id}`,
    state: 'starting',
    async run() {
      const net = sim.host(`client${id}`).net;
      const kv = new KvClient('kv', KV_PORT, (port, host) => net.connect(port, host));
      try {
        for (let r = 0; r < KV_ROUNDS; r++) {
          const key = `c${id}-k${r % 2}`;
          const value = valueFor(id, r);
          program.state = `round ${r}: PUT ${key}`;
          const put = await kv.put(key, value);
          if (put !== 204) throw new Error(`PUT /kv/${key} answered ${put}`);
          program.state = `round ${r}: GET ${key}`;
          const got = await kv.get(key);
          if (got.status !== 200 || got.value !== value) {
            throw new Error(`GET /kv/${key} after a PUT of ${value.length} bytes answered ${got.status} with ${got.value.length} bytes`);
          }
        }
        program.state = 'done';
      } finally {
        kv.close();
      }
    },
  };
  return program;
}

export async function runKv(sim: Simulation, params: ScenarioParams): Promise<ScenarioOutcome> {
  const clients = params.size ?? DEFAULT_CLIENTS;
  const app = kvServer(params.bug);
  // node:http stamps each response with the wall clock (Date header), and the trace records the
  // bytes on the wire: without the stamp a run's trace is a function of its seed alone.
  app.prependListener('request', (_req, res) => {
    res.sendDate = false;
  });
  const listener = sim.host('kv').net.createServer((socket) => app.emit('connection', socket));
  listener.listen(KV_PORT);
  const programs = Array.from({ length: clients }, (_, i) => client(sim, i));
  try {
    return await runPrograms(sim, programs, []);
  } finally {
    listener.close();
    app.close();
    sim.close();
  }
}
