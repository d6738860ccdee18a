// The echo scenario: `size` clients (default 8), each on its own host, send ECHO_MESSAGES lines of
// growing length to an echo server and check each comes back whole before sending the next. A
// client whose connection is lost connects again and repeats the message it was on. Any host may
// crash (the crash fault) and boot again: the server listens anew, a client starts over.
import type { Reactor } from '../../index.js';
import type { Scenario } from '../scenario.js';
import { Connection, ConnectionLost, encode, withReconnects, WAIT_SLICE_MS, type Program } from './programs.js';
import { runClientServer, type Progress, type Service } from './client-server.js';

export const ECHO_PORT = 7;
export const ECHO_MESSAGES = 10;
const DEFAULT_CLIENTS = 8;
export const ECHO_CLIENTS_MAX = 2000;

const message = (client: number, k: number): string => `${client}:${k}:${'x'.repeat((client * 97 + k * 1013) % 4000)}\n`;

/** Echoes each connection's bytes back; the server serves until every client has all its echoes. */
const echoService = (r: Reactor<Connection | null>): Service<Connection> => ({
  name: 'echo server',
  port: ECHO_PORT,
  doneWhat: 'clients done',
  welcome: (fd) => new Connection(r, fd),
  serve(conn, ev) {
    const bytes = conn.receive(ev);
    if (bytes === null) return;
    if (bytes.length === 0) conn.close();
    else if (!conn.send(bytes)) throw new Error(`client fd ${conn.fd} fell too far behind`);
  },
  connection: (conn) => conn,
});

/** Sends message k and waits for all of it back; ConnectionLost when the connection ends first. */
async function echoOnce(r: Reactor<Connection>, conn: Connection, id: number, k: number, program: Program): Promise<void> {
  const sent = message(id, k);
  conn.send(encode(sent));
  let echoed = '';
  while (echoed.length < sent.length) {
    program.state = `waiting for echo ${k} (${echoed.length} of ${sent.length} bytes back)`;
    for (const ev of await r.waitAsync(WAIT_SLICE_MS)) {
      const bytes = conn.receive(ev);
      if (bytes === null) continue;
      if (bytes.length === 0) throw new ConnectionLost(`server closed during echo ${k}`);
      echoed += new TextDecoder().decode(bytes);
    }
  }
  if (echoed !== sent) throw new Error(`echo ${k} came back altered (${echoed.length} bytes, ${sent.length} sent)`);
}

function client(r: Reactor<Connection>, id: number, progress: Progress): Program {
  const program: Program = {
    name: `client ${id}`,
    state: 'connecting',
    async run() {
      let k = 0;
      // A lost connection repeats the message it was on, on a new one.
      await withReconnects(r, ECHO_PORT, program, async (conn) => {
        for (; k < ECHO_MESSAGES; k++) await echoOnce(r, conn, id, k, program);
      });
      progress.clientsDone++;
    },
  };
  return program;
}

export const echo: Scenario = {
  name: 'echo',
  maxSize: ECHO_CLIENTS_MAX,
  description: `size clients (default ${DEFAULT_CLIENTS}), each on its own host, send ${ECHO_MESSAGES} lines each to an echo server and check every echo`,
  run: runClientServer({
    defaultClients: DEFAULT_CLIENTS,
    service: echoService,
    clientPoolSize: 8,
    client: (r, id, progress) => client(r, id, progress),
  }),
};
