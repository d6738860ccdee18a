// A sample app with a planted bug, for sweeps to find: `size` clients (default 4), each on its own
// host, upload UPLOAD_RECORDS numbered records in one burst; the server checks every record and
// acknowledges the count. With bug 'ignore-partial-write' the client sends with os.send and
// treats a short send as complete: the lost tail corrupts a record, but only when a send is taken
// in part, which the kernel's buffer never forces here; a partialWrite fault does. A client whose
// connection is lost uploads again on a new one. Any host may crash (the crash fault) and boot
// again: the server listens anew, a client uploads anew.
import type { IoEvent, Reactor } from '../../index.js';
import type { Scenario } from '../scenario.js';
import { LineReader } from '../../chat/lines.js';
import { Connection, ConnectionLost, encode, withReconnects, WAIT_SLICE_MS, type Program } from './programs.js';
import { runClientServer, type Progress, type Service } from './client-server.js';

export const UPLOAD_PORT = 9000;
export const UPLOAD_RECORDS = 20;
export const UPLOAD_BUGS = ['ignore-partial-write'] as const;
const DEFAULT_CLIENTS = 4;
export const UPLOAD_CLIENTS_MAX = 2000;

/** Record k of a client: under MAX_LINE_BYTES, and all of them together under a socket buffer. */
const record = (client: number, k: number): string =>
  `rec ${client} ${k} ${String.fromCharCode(97 + ((client + k) % 26)).repeat(50 + ((client * 31 + k * 17) % 200))}`;

interface Upload {
  conn: Connection;
  reader: LineReader;
  next: number;
}

/** Checks each connection's records; the server serves until every client's upload is acknowledged. */
const uploadService = (r: Reactor<Upload | null>): Service<Upload> => ({
  name: 'upload server',
  port: UPLOAD_PORT,
  doneWhat: 'uploads acknowledged',
  welcome: (fd) => ({ conn: new Connection(r, fd), reader: new LineReader(), next: 0 }),
  serve: receiveRecords,
  connection: (up) => up.conn,
});

/** Checks the records an event brings, in order, and acknowledges the last. */
function receiveRecords(up: Upload, ev: IoEvent<Upload | null>): void {
  const bytes = up.conn.receive(ev);
  if (bytes === null) return;
  if (bytes.length === 0) {
    up.conn.close();
    return;
  }
  for (const result of up.reader.push(bytes)) {
    const line = 'line' in result ? result.line : `(a line of ${result.tooLong} bytes)`;
    const client = Number(line.split(' ')[1]);
    if (line !== record(client, up.next))
      throw new Error(`record ${up.next} of an upload arrived corrupt: ${JSON.stringify(line.slice(0, 40))}…, ${line.length} bytes`);
    if (++up.next === UPLOAD_RECORDS) up.conn.send(encode(`ok ${UPLOAD_RECORDS}\n`));
  }
}

function client(r: Reactor<Connection>, id: number, bug: string | undefined, progress: Progress): Program {
  const program: Program = {
    name: `client ${id}`,
    state: 'connecting',
    async run() {
      // A lost connection uploads every record again, on a new one.
      await withReconnects(r, UPLOAD_PORT, program, async (conn) => {
        for (let k = 0; k < UPLOAD_RECORDS; k++) {
          const data = encode(`${record(id, k)}\n`);
          if (bug === 'ignore-partial-write')
            r.os.send(conn.fd, data); // the planted bug
          else if (!conn.send(data)) throw new Error(`record ${k} did not fit the send queue`);
        }
        let reply = '';
        while (!reply.endsWith('\n')) {
          program.state = `waiting for the server's acknowledgement (${JSON.stringify(reply)} so far)`;
          for (const ev of await r.waitAsync(WAIT_SLICE_MS)) {
            const bytes = conn.receive(ev);
            if (bytes === null) continue;
            if (bytes.length === 0) throw new ConnectionLost('server closed before acknowledging');
            reply += new TextDecoder().decode(bytes);
          }
        }
        if (reply !== `ok ${UPLOAD_RECORDS}\n`) throw new Error(`server acknowledged ${JSON.stringify(reply)}`);
      });
      progress.clientsDone++;
    },
  };
  return program;
}

export const upload: Scenario = {
  name: 'upload',
  maxSize: UPLOAD_CLIENTS_MAX,
  bugs: UPLOAD_BUGS,
  description: `size clients (default ${DEFAULT_CLIENTS}) upload ${UPLOAD_RECORDS} records each in a burst; the server checks every one. Planted bug: ${UPLOAD_BUGS.join(', ')}`,
  run: runClientServer({
    defaultClients: DEFAULT_CLIENTS,
    service: uploadService,
    clientPoolSize: 64,
    client: (r, id, progress, params) => client(r, id, params.bug, progress),
  }),
};
