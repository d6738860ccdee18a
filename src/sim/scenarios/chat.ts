// The chat scenario: `size` clients (default 16, up to CHAT_CLIENTS_MAX), each on its own host,
// join a chat server (src/chat's room, line reader and transport, as examples/chat-server.ts),
// and once all are in, the first CHAT_SPEAKERS of them say CHAT_LINES lines each. Every client
// must receive every other speaker's lines, each speaker's in order, before it quits; the server
// runs until all have quit.
import { EventType, type Reactor } from '../../index.js';
import type { Scenario, ScenarioParams } from '../scenario.js';
import type { Simulation } from '../simulation.js';
import { LineReader } from '../../chat/lines.js';
import { Room, type Member } from '../../chat/room.js';
import { Connection, runPrograms, encode, WAIT_SLICE_MS, type Program } from './programs.js';

export const CHAT_PORT = 23;
export const CHAT_SPEAKERS = 8;
export const CHAT_LINES = 3;
export const CHAT_CLIENTS_MAX = 2000;
const DEFAULT_CLIENTS = 16;
const START = '* all here';

class Client extends Connection implements Member {
  readonly id: number;
  name: string | null = null;
  readonly reader = new LineReader();
  /** Text for this client from the event being handled: one send per client per event. */
  pending = '';

  constructor(r: Reactor<any>, fd: number) {
    super(r, fd);
    this.id = fd;
  }
}

function server(r: Reactor<Client | null>, clients: number): Program {
  const room = new Room();
  let named = 0;
  const touched = new Set<Client>();
  const say = (to: Client, text: string): void => {
    to.pending += text;
    touched.add(to);
  };
  const flush = (): void => {
    for (const to of touched) {
      if (room.members.has(to.fd) && !to.send(encode(to.pending))) throw new Error(`${to.name} fell too far behind`);
      to.pending = '';
    }
    touched.clear();
  };
  const onLine = (c: Client, line: string): void => {
    if (c.name === null) {
      c.name = line;
      if (++named === clients) for (const m of room.members.values()) say(m as Client, `${START}\r\n`);
    } else if (line === '/quit') {
      room.members.delete(c.fd);
      r.os.close(c.fd);
    } else for (const m of room.others(c)) say(m as Client, `[${c.name}] ${line}\r\n`);
  };
  const welcome = (fd: number): void => {
    const c = new Client(r, fd);
    room.members.set(fd, c);
    r.add(fd, c, EventType.READ);
  };
  const program: Program = {
    name: 'chat server',
    state: 'starting',
    async run() {
      const { fd: listener } = r.os.listen(CHAT_PORT, '127.0.0.1', clients);
      r.add(listener, null, EventType.READ);
      let joined = false;
      while (!joined || room.members.size > 0) {
        program.state = `${named} named of ${room.members.size} connected, ${clients} expected`;
        for (const ev of await r.waitAsync(WAIT_SLICE_MS)) {
          if (ev.context === null) {
            if (ev.type & EventType.ACCEPT) welcome(ev.acceptedFd!);
            else for (let fd = r.os.accept(listener); fd !== null; fd = r.os.accept(listener)) welcome(fd);
            continue;
          }
          const c = ev.context;
          if (!room.members.has(c.fd)) continue;
          const bytes = c.receive(ev);
          if (bytes === null) continue;
          if (bytes.length === 0) throw new Error(`${c.name ?? 'a client'} hung up without /quit`);
          for (const result of c.reader.push(bytes)) {
            if (!('line' in result)) throw new Error(`${c.name ?? 'a client'} sent a line of ${result.tooLong} bytes`);
            if (room.members.has(c.fd)) onLine(c, result.line);
          }
          flush();
        }
        joined ||= named === clients;
      }
    },
  };
  return program;
}

function client(r: Reactor<Connection>, id: number, clients: number): Program {
  const speakers = Math.min(CHAT_SPEAKERS, clients);
  /** Per other speaker, how many of its lines arrived so far. */
  const heard = new Map<string, number>();
  for (let s = 0; s < speakers; s++) if (s !== id) heard.set(`c${s}`, 0);
  const expected = CHAT_LINES * heard.size;
  let got = 0;
  const program: Program = {
    name: `client c${id}`,
    state: 'connecting',
    async run() {
      const conn = new Connection(r, r.os.connect(CHAT_PORT, 'server'));
      const reader = new LineReader();
      r.add(conn.fd, conn, EventType.READ);
      conn.send(encode(`c${id}\r\n`));
      let started = false;
      let quit = false;
      for (;;) {
        program.state = started ? `heard ${got} of ${expected} lines${quit ? ', quit sent' : ''}` : 'waiting for everyone to join';
        for (const ev of await r.waitAsync(WAIT_SLICE_MS)) {
          const bytes = conn.receive(ev);
          if (bytes === null) continue;
          if (bytes.length === 0) {
            if (!quit) throw new Error(`server hung up after ${got} of ${expected} lines`);
            r.os.close(conn.fd);
            return;
          }
          for (const result of reader.push(bytes)) {
            const line = 'line' in result ? result.line : `(${result.tooLong} bytes)`;
            if (line === START) {
              started = true;
              if (id < speakers) for (let k = 0; k < CHAT_LINES; k++) conn.send(encode(`m${k}\r\n`));
              continue;
            }
            const m = /^\[(c\d+)\] m(\d+)$/.exec(line);
            const next = m ? heard.get(m[1]) : undefined;
            if (!m || next === undefined || Number(m[2]) !== next) throw new Error(`unexpected ${JSON.stringify(line)} after ${got} lines`);
            heard.set(m[1], next + 1);
            got++;
          }
          if (started && got === expected && !quit) {
            quit = true;
            conn.send(encode('/quit\r\n'));
          }
        }
      }
    },
  };
  return program;
}

export const chat: Scenario = {
  name: 'chat',
  maxSize: CHAT_CLIENTS_MAX,
  description: `size clients (default ${DEFAULT_CLIENTS}), each on its own host, join a chat room; ${CHAT_SPEAKERS} speak ${CHAT_LINES} lines each, and every client checks it heard every line in order`,
  async run(sim: Simulation, params: ScenarioParams) {
    const clients = params.size ?? DEFAULT_CLIENTS;
    const model = params.model ?? 'readiness';
    const serverReactor = await sim.host('server').createReactor<Client | null>({ model, poolSize: 4 * CHAT_CLIENTS_MAX });
    const reactors: Reactor<any>[] = [serverReactor];
    const programs = [server(serverReactor, clients)];
    for (let i = 0; i < clients; i++) {
      const r = await sim.host(`c${i}`).createReactor<Connection>({ model, poolSize: 16, maxSockets: 8 });
      reactors.push(r);
      programs.push(client(r, i, clients));
    }
    return runPrograms(sim, programs, reactors);
  },
};
