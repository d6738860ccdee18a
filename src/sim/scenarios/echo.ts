// The echo scenario: `size` clients (default 8), each on its own host, send ECHO_MESSAGES lines of
// growing length to an echo server and check each comes back whole before sending the next.
import { EventType, type Reactor } from '../../index.js';
import type { Scenario, ScenarioParams } from '../scenario.js';
import type { Simulation } from '../simulation.js';
import { Connection, runPrograms, encode, WAIT_SLICE_MS, type Program } from './programs.js';

export const ECHO_PORT = 7;
export const ECHO_MESSAGES = 10;
const DEFAULT_CLIENTS = 8;
export const ECHO_CLIENTS_MAX = 2000;

const message = (client: number, k: number): string => `${client}:${k}:${'x'.repeat((client * 97 + k * 1013) % 4000)}\n`;

function server(r: Reactor<Connection | null>, clients: number): Program {
  const program: Program = {
    name: 'echo server',
    state: 'starting',
    async run() {
      const { fd: listener } = r.os.listen(ECHO_PORT);
      r.add(listener, null, EventType.READ);
      let closed = 0;
      while (closed < clients) {
        program.state = `${closed} of ${clients} clients done`;
        for (const ev of await r.waitAsync(WAIT_SLICE_MS)) {
          if (ev.context === null) {
            if (ev.type & EventType.ACCEPT) r.add(ev.acceptedFd!, new Connection(r, ev.acceptedFd!), EventType.READ);
            else for (let fd = r.os.accept(listener); fd !== null; fd = r.os.accept(listener)) r.add(fd, new Connection(r, fd), EventType.READ);
            continue;
          }
          const conn = ev.context;
          const bytes = conn.receive(ev);
          if (bytes === null) continue;
          if (bytes.length === 0) {
            r.os.close(conn.fd);
            closed++;
          } else if (!conn.send(bytes)) throw new Error(`client fd ${conn.fd} fell too far behind`);
        }
      }
    },
  };
  return program;
}

function client(r: Reactor<Connection>, id: number): Program {
  const program: Program = {
    name: `client ${id}`,
    state: 'connecting',
    async run() {
      const conn = new Connection(r, r.os.connect(ECHO_PORT, 'server'));
      r.add(conn.fd, conn, EventType.READ);
      for (let k = 0; k < ECHO_MESSAGES; k++) {
        const sent = message(id, k);
        conn.send(encode(sent));
        let echoed = '';
        while (echoed.length < sent.length) {
          program.state = `waiting for echo ${k} (${echoed.length} of ${sent.length} bytes back)`;
          for (const ev of await r.waitAsync(WAIT_SLICE_MS)) {
            const bytes = conn.receive(ev);
            if (bytes === null) continue;
            if (bytes.length === 0) throw new Error(`server closed during echo ${k}`);
            echoed += new TextDecoder().decode(bytes);
          }
        }
        if (echoed !== sent) throw new Error(`echo ${k} came back altered (${echoed.length} bytes, ${sent.length} sent)`);
      }
      r.os.close(conn.fd);
    },
  };
  return program;
}

export const echo: Scenario = {
  name: 'echo',
  maxSize: ECHO_CLIENTS_MAX,
  description: `size clients (default ${DEFAULT_CLIENTS}), each on its own host, send ${ECHO_MESSAGES} lines each to an echo server and check every echo`,
  async run(sim: Simulation, params: ScenarioParams) {
    const clients = params.size ?? DEFAULT_CLIENTS;
    const model = params.model ?? 'readiness';
    const serverReactor = await sim.host('server').createReactor<Connection | null>({ model });
    const reactors: Reactor<any>[] = [serverReactor];
    const programs = [server(serverReactor, clients)];
    for (let i = 0; i < clients; i++) {
      const r = await sim.host(`client${i}`).createReactor<Connection>({ model, poolSize: 8, maxSockets: 16 });
      reactors.push(r);
      programs.push(client(r, i));
    }
    return runPrograms(sim, programs, reactors);
  },
};
