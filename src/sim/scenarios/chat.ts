// The chat scenario: `size` clients (default 16, up to CHAT_CLIENTS_MAX), each on its own host,
// join a chat server (src/chat's room, line reader and transport, as examples/chat-server.ts),
// and once all are in, the first CHAT_SPEAKERS of them say CHAT_LINES lines each. Every client
// must receive every other speaker's lines, each speaker's in order, before it quits; the server
// runs until all have quit.
//
// It survives every fault kind: a client whose connection fails (reset, refused, aborted, half
// closed, out of buffers) connects again and says how much of the room's history it has heard;
// the server replays the rest and drops a speaker's lines it already has, so a line is heard once.
import { EventType, ReactorError, type IoEvent, type Reactor } from '../../index.js';
import type { Scenario, ScenarioParams } from '../scenario.js';
import type { Simulation } from '../simulation.js';
import { LineReader } from '../../chat/lines.js';
import { Room, type Member } from '../../chat/room.js';
import { Transport } from '../../chat/transport.js';
import { Connection, runPrograms, encode, WAIT_SLICE_MS, type Boot, type Program } from './programs.js';
import { relayed, spoken, parseRelayed, RELAYED_NUMBER_SPACE } from './chat-relayed.js';

export const CHAT_PORT = 23;
export const CHAT_SPEAKERS = 8;
export const CHAT_LINES = 3;
export const CHAT_CLIENTS_MAX = 2000;
const DEFAULT_CLIENTS = 16;
/** The room's first history line once every client has joined: the speakers' cue. */
const START = '* all here';
/** The server's answer to /quit: the client is done when it reads it. */
const BYE = '* bye';
/** What a client compares each line with, in place. */
const START_BYTES = encode(START);
const BYE_BYTES = encode(BYE);
/** Virtual ms a client waits before connecting again after its connection failed. */
export const RECONNECT_MS = 100;
/**
 * Virtual ms the server stays up after the last client quit: a client whose BYE was lost comes
 * back within it to hear BYE again.
 */
export const LINGER_MS = 5_000;

class Client extends Connection implements Member {
  readonly id: number;
  name: string | null = null;
  readonly reader = new LineReader();

  constructor(r: Reactor<any>, fd: number) {
    super(r, fd);
    this.id = fd;
  }
}

const describeError = (e: unknown): string => (e instanceof Error ? e.message : String(e));

function server(sim: Simulation, r: Reactor<Client | null>, clients: number): Program {
  const room = new Room();
  const transport = Transport.of(r as Reactor<unknown>);
  /** Every line the room has heard, in order; a client that comes back hears the rest. */
  const history: string[] = [];
  /** Per speaker, the number of its next line (a resent line below it is a duplicate). */
  const nextLine = new Map<string, number>();
  const joined = new Set<string>();
  /** The client that last said hello under each name: a scan of every member per hello made joining quadratic. */
  const named = new Map<string, Client>();
  const quit = new Set<string>();
  /** Clients told BYE: closed once it has gone out. */
  const leaving = new Set<Client>();
  let lastActivity = 0;
  let serving = false;

  const drop = (c: Client): void => {
    if (!room.members.delete(c.fd)) return;
    leaving.delete(c);
    transport.forget(c);
    r.os.close(c.fd);
  };
  const sayBytes = (to: Client, bytes: Uint8Array): void => {
    if (!to.send(bytes)) drop(to);
  };
  const say = (to: Client, text: string): void => sayBytes(to, encode(`${text}\r\n`));
  const record = (line: string): void => {
    history.push(line);
    // One copy for the whole room: the transport never writes into what it sends.
    const bytes = encode(`${line}\r\n`);
    for (const m of room.members.values()) if (m.name !== null) sayBytes(m as Client, bytes);
  };
  const onHello = (c: Client, line: string): void => {
    const m = /^(c\d+) (\d+)$/.exec(line);
    if (!m || Number(m[2]) > history.length)
      throw new Error(`a client said ${JSON.stringify(line)} for hello, with ${history.length} lines of history`);
    // Its old connection may not have failed here yet: the newer one wins.
    const old = named.get(m[1]);
    if (old !== undefined && room.members.get(old.fd) === old) drop(old);
    c.name = m[1];
    named.set(c.name, c);
    for (const past of history.slice(Number(m[2]))) say(c, past);
    joined.add(c.name);
    if (joined.size === clients && !history.includes(START)) record(START);
  };
  const onLine = (c: Client, line: string): void => {
    if (c.name === null) return onHello(c, line);
    if (line === '/quit') {
      quit.add(c.name);
      say(c, BYE);
      leaving.add(c);
      return;
    }
    const m = /^m(\d+)$/.exec(line);
    const next = nextLine.get(c.name) ?? 0;
    if (!m || Number(m[1]) > next) throw new Error(`${c.name} said ${JSON.stringify(line)} when its next line is ${spoken(next)}`);
    if (Number(m[1]) < next) return;
    nextLine.set(c.name, next + 1);
    record(relayed(c.name, line));
  };
  const onClientEvent = (c: Client, ev: IoEvent<unknown>): void => {
    let bytes: Uint8Array | null;
    try {
      bytes = c.receive(ev);
    } catch {
      return drop(c);
    }
    if (bytes === null) return;
    // End of stream: the client's sending side is gone (it half-closed or went away).
    if (bytes.length === 0) return drop(c);
    const reader = c.reader;
    reader.feed(bytes);
    while (reader.next()) {
      if (!room.members.has(c.fd) || leaving.has(c)) return;
      if (reader.tooLong > 0) throw new Error(`${c.name ?? 'a client'} sent a line of ${reader.tooLong} bytes`);
      onLine(c, reader.text());
    }
  };
  const accept = (listener: number): void => {
    for (;;) {
      let fd: number | null;
      try {
        fd = r.os.accept(listener);
      } catch (e) {
        // Out of fds (EMFILE) leaves the connection pending for the next wait; an aborted one is gone.
        if (e instanceof ReactorError && e.code === 'ECONNABORTED') continue;
        return;
      }
      if (fd === null) return;
      welcome(fd);
    }
  };
  const welcome = (fd: number): void => {
    const c = new Client(r, fd);
    room.members.set(fd, c);
    r.add(fd, c, EventType.READ);
  };
  const program: Program = {
    name: 'chat server',
    // Described when asked (a hang report): built on every wait, it cost more than the wait.
    get state() {
      return serving
        ? `${joined.size} joined, ${quit.size} quit of ${clients}; ${room.members.size} connected; ${history.length} lines of history`
        : 'starting';
    },
    async run() {
      const { fd: listener } = r.os.listen(CHAT_PORT, '127.0.0.1', clients);
      r.add(listener, null, EventType.READ);
      while (quit.size < clients || room.members.size > 0 || sim.now - lastActivity < LINGER_MS) {
        serving = true;
        const events = await r.waitAsync(WAIT_SLICE_MS);
        if (events.length > 0) lastActivity = sim.now;
        transport.batch(
          () => {
            for (const ev of events) {
              if (ev.context !== null) onClientEvent(ev.context, ev);
              else if (ev.type & EventType.ACCEPT) welcome(ev.acceptedFd!);
              // A failed accept (EMFILE, ENOBUFS for the accepted socket) took a posted accept with it.
              else if (ev.type & (EventType.ERROR | EventType.CLOSE)) r.postRead(listener);
              else accept(listener);
            }
          },
          (box) => drop(box as Client),
        );
        for (const c of leaving) if (c.queuedBytes === 0) drop(c);
      }
    },
  };
  return program;
}

function client(r: Reactor<Connection>, id: number, clients: number): Program {
  const name = `c${id}`;
  const speakers = Math.min(CHAT_SPEAKERS, clients);
  const myLines = id < speakers ? CHAT_LINES : 0;
  /**
   * Per speaker, how many of its lines arrived so far: a relayed line of another speaker that is
   * not its next, nor my own next, is out of order.
   */
  const heard = new Array<number>(speakers).fill(0);
  const expected = CHAT_LINES * (id < speakers ? speakers - 1 : speakers);
  let got = 0;
  /** Lines of the room's history heard, over every connection. */
  let historyHeard = 0;
  let started = false;
  /** My lines the room has recorded (heard back from it). */
  let acked = 0;
  let connections = 0;
  /** What the client is doing, described when asked (a hang report), not on every wait. */
  let describe = (): string => 'connecting';
  const program: Program = {
    name: `client ${name}`,
    get state() {
      return describe();
    },
    async run() {
      for (;;) {
        connections++;
        const failure = await session();
        if (failure === null) return;
        const failed = connections;
        describe = () => `connection ${failed} failed (${failure}); connecting again in ${RECONNECT_MS} ms`;
        await r.waitAsync(RECONNECT_MS);
      }
    },
  };
  const doneTalking = (): boolean => started && got === expected && acked === myLines;
  /** One connection: null once BYE arrived, else why it failed. */
  async function session(): Promise<string | null> {
    let conn: Connection;
    try {
      conn = new Connection(r, r.os.connect(CHAT_PORT, 'server'));
    } catch (e) {
      return describeError(e);
    }
    const reader = new LineReader();
    let quitSent = false;
    const send = (text: string): void => {
      if (!conn.send(encode(text))) throw new Error('the server fell too far behind reading');
    };
    const speak = (): void => {
      for (let k = acked; k < myLines; k++) send(`${spoken(k)}\r\n`);
    };
    try {
      r.add(conn.fd, conn, EventType.READ);
      send(`${name} ${historyHeard}\r\n`);
      if (started) speak();
      describe = () =>
        started
          ? `heard ${got} of ${expected} lines, ${acked} of mine recorded${quitSent ? ', quit sent' : ''} (connection ${connections})`
          : `waiting for everyone to join (connection ${connections})`;
      for (;;) {
        if (doneTalking() && !quitSent) {
          quitSent = true;
          send('/quit\r\n');
        }
        for (const ev of await r.waitAsync(WAIT_SLICE_MS)) {
          const bytes = conn.receive(ev);
          if (bytes === null) continue;
          if (bytes.length === 0) throw new Error('the server closed the connection');
          reader.feed(bytes);
          while (reader.next()) {
            if (reader.lineIs(BYE_BYTES)) {
              r.os.close(conn.fd);
              return null;
            }
            historyHeard++;
            if (reader.lineIs(START_BYTES)) {
              started = true;
              speak();
              continue;
            }
            const said = reader.tooLong > 0 ? -1 : parseRelayed(reader.lineBytes, reader.lineLength);
            const speaker = Math.floor(said / RELAYED_NUMBER_SPACE);
            const n = said % RELAYED_NUMBER_SPACE;
            if (said >= 0 && speaker === id && n === acked) {
              acked++;
              continue;
            }
            if (said < 0 || speaker === id || speaker >= speakers || n !== heard[speaker])
              throw new ProtocolError(`unexpected ${JSON.stringify(lineText(reader))} after ${got} lines`);
            heard[speaker]++;
            got++;
          }
        }
      }
    } catch (e) {
      if (e instanceof ProtocolError) throw e;
      try {
        r.os.close(conn.fd);
      } catch {
        /* already closed */
      }
      return describeError(e);
    }
  }
  return program;
}

/** A line as a failure report quotes it: its text, or how long it was when refused. */
const lineText = (reader: LineReader): string => (reader.tooLong > 0 ? `(${reader.tooLong} bytes)` : reader.text());

/** What the room said is wrong: no reconnect mends it, so it fails the run. */
class ProtocolError extends Error {}

export const chat: Scenario = {
  name: 'chat',
  maxSize: CHAT_CLIENTS_MAX,
  description: `size clients (default ${DEFAULT_CLIENTS}), each on its own host, join a chat room; ${CHAT_SPEAKERS} speak ${CHAT_LINES} lines each, and every client checks it heard every line once and in order, reconnecting whenever its connection fails`,
  async run(sim: Simulation, params: ScenarioParams) {
    const clients = params.size ?? DEFAULT_CLIENTS;
    const flavor = { model: params.model ?? 'readiness', mechanism: params.mechanism };
    const serverReactor = await sim.host('server').createReactor<Client | null>({ ...flavor, poolSize: 4 * CHAT_CLIENTS_MAX });
    const reactors: Reactor<any>[] = [serverReactor];
    const programs = [server(sim, serverReactor, clients)];
    // A client's host may crash (the crash fault): it boots again and joins afresh, hearing the
    // room's history from the start. The server holds the room, so its host never crashes.
    const boots: (Boot | null)[] = [null];
    for (let i = 0; i < clients; i++) {
      const boot: Boot = {
        host: `c${i}`,
        boot: async () => {
          // Named, not spread: V8 (Node 20) builds a spread with more properties after it on a slow path, µs per host.
          const reactor = await sim.host(`c${i}`).createReactor<Connection>({
            model: flavor.model,
            mechanism: flavor.mechanism,
            poolSize: 16,
            maxSockets: 8,
          });
          return { reactor, program: client(reactor, i, clients) };
        },
      };
      const { reactor, program } = await boot.boot();
      reactors.push(reactor);
      programs.push(program);
      boots.push(boot);
    }
    return runPrograms(sim, programs, reactors, boots);
  },
};
