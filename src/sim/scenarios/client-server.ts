// The shape the echo and upload scenarios share: a server on host 'server' that accepts and serves
// connections until every client is done, and clients on hosts client0, client1, …, every host
// booted again after a crash.
import { EventType, type IoEvent, type Reactor } from '../../index.js';
import type { Simulation } from '../simulation.js';
import type { ScenarioOutcome, ScenarioParams } from '../scenario.js';
import { acceptFrom, ConnectionLost, runPrograms, WAIT_SLICE_MS, type Boot, type Connection, type Program } from './programs.js';

/** A client-server scenario: its server's service, and its clients. */
export interface ClientServer<S> {
  /** Clients when params.size does not say. */
  defaultClients: number;
  service(r: Reactor<S | null>): Service<S>;
  /** Each client's reactor's poolSize: what its sends in flight need. */
  clientPoolSize: number;
  /** Client `id`'s program; it counts itself into `progress` when done. */
  client(r: Reactor<Connection>, id: number, progress: Progress, params: ScenarioParams): Program;
}

/** The size of a client's reactor's fd table (maxSockets): a client holds one connection at a time, so this is room to spare. */
const CLIENT_MAX_SOCKETS = 16;

/**
 * The scenario's run: a server on host 'server' and params.size clients on hosts client0,
 * client1, …, each on a reactor of its own. Every host may crash and boot again (runPrograms):
 * the server listens anew, a client starts over.
 */
export function runClientServer<S>(shape: ClientServer<S>): (sim: Simulation, params: ScenarioParams) => Promise<ScenarioOutcome> {
  return async (sim, params) => {
    const clients = params.size ?? shape.defaultClients;
    const flavor = { model: params.model ?? 'readiness', mechanism: params.mechanism };
    const progress: Progress = { clientsDone: 0 };
    const boots: Boot[] = [
      {
        host: 'server',
        boot: async () => {
          const reactor = await sim.host('server').createReactor<S | null>(flavor);
          return { reactor, program: serverProgram(reactor, shape.service(reactor), clients, progress) };
        },
      },
    ];
    for (let i = 0; i < clients; i++) {
      boots.push({
        host: `client${i}`,
        boot: async () => {
          // Named, not spread: V8 (Node 20) builds a spread with more properties after it on a slow path, µs per host.
          const options = {
            model: flavor.model,
            mechanism: flavor.mechanism,
            poolSize: shape.clientPoolSize,
            maxSockets: CLIENT_MAX_SOCKETS,
          };
          const reactor = await sim.host(`client${i}`).createReactor<Connection>(options);
          return { reactor, program: shape.client(reactor, i, progress, params) };
        },
      });
    }
    const booted = [];
    for (const b of boots) booted.push(await b.boot());
    return runPrograms(
      sim,
      booted.map((b) => b.program),
      booted.map((b) => b.reactor),
      boots,
    );
  };
}

/** How many clients have finished; a scenario's server serves until all have. */
export interface Progress {
  clientsDone: number;
}

/** What a server program does with the connections it accepts (serverProgram). */
export interface Service<C> {
  name: string;
  port: number;
  /** What the server reports it is at, with how many clients are done: `${done} of ${clients} ${doneWhat}`. */
  doneWhat: string;
  /** A new connection's context (its fd is added for READ with it). */
  welcome(fd: number): C;
  /** Handles one event of a connection; throws ConnectionLost when the connection ends early. */
  serve(context: C, ev: IoEvent<C | null>): void;
  /** The connection of a context: closed when lost, as its client connects again. */
  connection(context: C): Connection;
}

/** A server that listens on the service's port and serves every connection until all `clients` are done. */
export function serverProgram<C>(r: Reactor<C | null>, service: Service<C>, clients: number, progress: Progress): Program {
  const program: Program = {
    name: service.name,
    state: 'starting',
    async run() {
      const { fd: listener } = r.os.listen(service.port);
      r.add(listener, null, EventType.READ);
      const welcome = (fd: number): void => r.add(fd, service.welcome(fd), EventType.READ);
      while (progress.clientsDone < clients) {
        program.state = `${progress.clientsDone} of ${clients} ${service.doneWhat}`;
        for (const ev of await r.waitAsync(WAIT_SLICE_MS)) {
          if (ev.context === null) {
            acceptFrom(r, listener, ev, welcome);
            continue;
          }
          try {
            service.serve(ev.context, ev);
          } catch (e) {
            if (!(e instanceof ConnectionLost)) throw e;
            service.connection(ev.context).close(); // the client connects again
          }
        }
      }
    },
  };
  return program;
}
