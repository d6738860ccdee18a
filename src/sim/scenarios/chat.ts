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

// The programs are classes, not closures made per run: a method is one function for every seed
// and client, so the call sites that reach it stay monomorphic and its compiled code serves the
// next seed too (a closure made per seed was a new call target, and the code inlining it deopted).

class ChatServer implements Program {
  readonly name = 'chat server';
  readonly #room = new Room();
  readonly #transport: Transport;
  /** Every line the room has heard, in order; a client that comes back hears the rest. */
  readonly #history: string[] = [];
  /** Per speaker, the number of its next line (a resent line below it is a duplicate). */
  readonly #nextLine = new Map<string, number>();
  readonly #joined = new Set<string>();
  /** The client that last said hello under each name: a scan of every member per hello made joining quadratic. */
  readonly #named = new Map<string, Client>();
  readonly #quit = new Set<string>();
  /** Clients told BYE: closed once it has gone out. */
  readonly #leaving = new Set<Client>();
  #lastActivity = 0;
  #serving = false;
  #listener = -1;
  /** The events of the wait being handled, for #handleEvents. */
  #events: IoEvent<Client | null>[] = [];
  readonly #handleEvents = (): void => {
    for (const ev of this.#events) this.#onEvent(ev);
  };
  readonly #onBroken = (box: unknown): void => this.#drop(box as Client);

  constructor(
    private readonly sim: Simulation,
    private readonly r: Reactor<Client | null>,
    private readonly clients: number,
  ) {
    this.#transport = Transport.of(r as Reactor<unknown>);
  }

  // Described when asked (a hang report): built on every wait, it cost more than the wait.
  get state(): string {
    return this.#serving
      ? `${this.#joined.size} joined, ${this.#quit.size} quit of ${this.clients}; ${this.#room.members.size} connected; ${this.#history.length} lines of history`
      : 'starting';
  }

  async run(): Promise<void> {
    const r = this.r;
    const { fd: listener } = r.os.listen(CHAT_PORT, '127.0.0.1', this.clients);
    this.#listener = listener;
    r.add(listener, null, EventType.READ);
    while (this.#quit.size < this.clients || this.#room.members.size > 0 || this.sim.now - this.#lastActivity < LINGER_MS) {
      this.#serving = true;
      const events = await r.waitAsync(WAIT_SLICE_MS);
      if (events.length > 0) this.#lastActivity = this.sim.now;
      this.#events = events;
      this.#transport.batch(this.#handleEvents, this.#onBroken);
      for (const c of this.#leaving) if (c.queuedBytes === 0) this.#drop(c);
    }
  }

  #onEvent(ev: IoEvent<Client | null>): void {
    if (ev.context !== null) this.#onClientEvent(ev.context, ev);
    else if (ev.type & EventType.ACCEPT) this.#welcome(ev.acceptedFd!);
    // A failed accept (EMFILE, ENOBUFS for the accepted socket) took a posted accept with it.
    else if (ev.type & (EventType.ERROR | EventType.CLOSE)) this.r.postRead(this.#listener);
    else this.#accept();
  }

  #drop(c: Client): void {
    if (!this.#room.members.delete(c.fd)) return;
    this.#leaving.delete(c);
    this.#transport.forget(c);
    this.r.os.close(c.fd);
  }

  #sayBytes(to: Client, bytes: Uint8Array): void {
    if (!to.send(bytes)) this.#drop(to);
  }

  #say(to: Client, text: string): void {
    this.#sayBytes(to, encode(`${text}\r\n`));
  }

  #record(line: string): void {
    this.#history.push(line);
    // One copy for the whole room: the transport never writes into what it sends.
    const bytes = encode(`${line}\r\n`);
    for (const m of this.#room.members.values()) if (m.name !== null) this.#sayBytes(m as Client, bytes);
  }

  #onHello(c: Client, line: string): void {
    const history = this.#history;
    const m = /^(c\d+) (\d+)$/.exec(line);
    if (!m || Number(m[2]) > history.length)
      throw new Error(`a client said ${JSON.stringify(line)} for hello, with ${history.length} lines of history`);
    // Its old connection may not have failed here yet: the newer one wins.
    const old = this.#named.get(m[1]);
    if (old !== undefined && this.#room.members.get(old.fd) === old) this.#drop(old);
    c.name = m[1];
    this.#named.set(c.name, c);
    for (let i = Number(m[2]); i < history.length; i++) this.#say(c, history[i]);
    this.#joined.add(c.name);
    if (this.#joined.size === this.clients && !history.includes(START)) this.#record(START);
  }

  #onLine(c: Client, line: string): void {
    if (c.name === null) return this.#onHello(c, line);
    if (line === '/quit') {
      this.#quit.add(c.name);
      this.#say(c, BYE);
      this.#leaving.add(c);
      return;
    }
    const m = /^m(\d+)$/.exec(line);
    const next = this.#nextLine.get(c.name) ?? 0;
    if (!m || Number(m[1]) > next) throw new Error(`${c.name} said ${JSON.stringify(line)} when its next line is ${spoken(next)}`);
    if (Number(m[1]) < next) return;
    this.#nextLine.set(c.name, next + 1);
    this.#record(relayed(c.name, line));
  }

  #onClientEvent(c: Client, ev: IoEvent<unknown>): void {
    let bytes: Uint8Array | null;
    try {
      bytes = c.receive(ev);
    } catch {
      return this.#drop(c);
    }
    if (bytes === null) return;
    // End of stream: the client's sending side is gone (it half-closed or went away).
    if (bytes.length === 0) return this.#drop(c);
    const reader = c.reader;
    reader.feed(bytes);
    while (reader.next()) {
      if (!this.#room.members.has(c.fd) || this.#leaving.has(c)) return;
      if (reader.tooLong > 0) throw new Error(`${c.name ?? 'a client'} sent a line of ${reader.tooLong} bytes`);
      this.#onLine(c, reader.text());
    }
  }

  #accept(): void {
    for (;;) {
      let fd: number | null;
      try {
        fd = this.r.os.accept(this.#listener);
      } catch (e) {
        // Out of fds (EMFILE) leaves the connection pending for the next wait; an aborted one is gone.
        if (e instanceof ReactorError && e.code === 'ECONNABORTED') continue;
        return;
      }
      if (fd === null) return;
      this.#welcome(fd);
    }
  }

  #welcome(fd: number): void {
    const c = new Client(this.r, fd);
    this.#room.members.set(fd, c);
    this.r.add(fd, c, EventType.READ);
  }
}

class ChatClient implements Program {
  readonly name: string;
  readonly #speakers: number;
  readonly #myLines: number;
  /**
   * Per speaker, how many of its lines arrived so far: a relayed line of another speaker that is
   * not its next, nor my own next, is out of order.
   */
  readonly #heard: number[];
  readonly #expected: number;
  #got = 0;
  /** Lines of the room's history heard, over every connection. */
  #historyHeard = 0;
  #started = false;
  /** My lines the room has recorded (heard back from it). */
  #acked = 0;
  #connections = 0;
  #quitSent = false;
  /** Why the last connection failed, while the client waits to connect again; null in a session. */
  #failure: string | null = null;

  constructor(
    private readonly r: Reactor<Connection>,
    private readonly id: number,
    clients: number,
  ) {
    this.name = `client c${id}`;
    this.#speakers = Math.min(CHAT_SPEAKERS, clients);
    this.#myLines = id < this.#speakers ? CHAT_LINES : 0;
    this.#heard = new Array<number>(this.#speakers).fill(0);
    this.#expected = CHAT_LINES * (id < this.#speakers ? this.#speakers - 1 : this.#speakers);
  }

  /** What the client is doing, described when asked (a hang report), not on every wait. */
  get state(): string {
    if (this.#connections === 0) return 'connecting';
    if (this.#failure !== null) return `connection ${this.#connections} failed (${this.#failure}); connecting again in ${RECONNECT_MS} ms`;
    return this.#started
      ? `heard ${this.#got} of ${this.#expected} lines, ${this.#acked} of mine recorded${this.#quitSent ? ', quit sent' : ''} (connection ${this.#connections})`
      : `waiting for everyone to join (connection ${this.#connections})`;
  }

  async run(): Promise<void> {
    for (;;) {
      this.#connections++;
      this.#failure = null;
      const failure = await this.#session();
      if (failure === null) return;
      this.#failure = failure;
      await this.r.waitAsync(RECONNECT_MS);
    }
  }

  // Every operand is read at every call: one first read late in a seed had no type feedback, and
  // deoptimized the session's code.
  #doneTalking(): boolean {
    const started = this.#started;
    const ackedAll = this.#acked === this.#myLines;
    const heardAll = this.#got === this.#expected;
    return started && ackedAll && heardAll;
  }

  /** One connection: null once BYE arrived, else why it failed. */
  async #session(): Promise<string | null> {
    const r = this.r;
    let conn: Connection;
    try {
      conn = new Connection(r, r.os.connect(CHAT_PORT, 'server'));
    } catch (e) {
      return describeError(e);
    }
    const reader = new LineReader();
    this.#quitSent = false;
    try {
      r.add(conn.fd, conn, EventType.READ);
      send(conn, `c${this.id} ${this.#historyHeard}\r\n`);
      if (this.#started) this.#speak(conn);
      for (;;) {
        if (!this.#quitSent && this.#doneTalking()) {
          this.#quitSent = true;
          send(conn, '/quit\r\n');
        }
        for (const ev of await r.waitAsync(WAIT_SLICE_MS)) {
          const bytes = conn.receive(ev);
          if (bytes === null) continue;
          if (bytes.length === 0) throw new Error('the server closed the connection');
          reader.feed(bytes);
          if (this.#heardBye(conn, reader)) {
            conn.close();
            return null;
          }
        }
      }
    } catch (e) {
      if (e instanceof ProtocolError) throw e;
      try {
        conn.close();
      } catch {
        /* already closed */
      }
      return describeError(e);
    }
  }

  /** Checks the lines the reader was fed: whether BYE came (the rest is not read). */
  #heardBye(conn: Connection, reader: LineReader): boolean {
    while (reader.next()) {
      if (reader.lineIs(BYE_BYTES)) return true;
      this.#historyHeard++;
      if (reader.lineIs(START_BYTES)) {
        this.#started = true;
        this.#speak(conn);
        continue;
      }
      const said = reader.tooLong > 0 ? -1 : parseRelayed(reader.lineBytes, reader.lineLength);
      const speaker = Math.floor(said / RELAYED_NUMBER_SPACE);
      const n = said % RELAYED_NUMBER_SPACE;
      if (said >= 0 && speaker === this.id && n === this.#acked) {
        this.#acked++;
        continue;
      }
      if (said < 0 || speaker === this.id || speaker >= this.#speakers || n !== this.#heard[speaker])
        throw new ProtocolError(`unexpected ${JSON.stringify(lineText(reader))} after ${this.#got} lines`);
      this.#heard[speaker]++;
      this.#got++;
    }
    return false;
  }

  #speak(conn: Connection): void {
    for (let k = this.#acked; k < this.#myLines; k++) send(conn, `${spoken(k)}\r\n`);
  }
}

function send(conn: Connection, text: string): void {
  if (!conn.send(encode(text))) throw new Error('the server fell too far behind reading');
}

/** A line as a failure report quotes it: its text, or how long it was when refused. */
const lineText = (reader: LineReader): string => (reader.tooLong > 0 ? `(${reader.tooLong} bytes)` : reader.text());

/** What the room said is wrong: no reconnect mends it, so it fails the run. */
class ProtocolError extends Error {}

/**
 * A client's host, booted at the start and again after each crash: it joins afresh, hearing the
 * room's history from the start.
 */
class ClientBoot implements Boot {
  readonly host: string;

  constructor(
    private readonly sim: Simulation,
    private readonly flavor: Pick<ScenarioParams, 'model' | 'mechanism'>,
    private readonly id: number,
    private readonly clients: number,
  ) {
    this.host = `c${id}`;
  }

  async boot(): Promise<{ program: Program; reactor: Reactor<any> }> {
    const reactor = await this.sim.host(this.host).createReactor<Connection>({
      model: this.flavor.model,
      mechanism: this.flavor.mechanism,
      poolSize: 16,
      maxSockets: 8,
    });
    return { reactor, program: new ChatClient(reactor, this.id, this.clients) };
  }
}

export const chat: Scenario = {
  name: 'chat',
  maxSize: CHAT_CLIENTS_MAX,
  description: `size clients (default ${DEFAULT_CLIENTS}), each on its own host, join a chat room; ${CHAT_SPEAKERS} speak ${CHAT_LINES} lines each, and every client checks it heard every line once and in order, reconnecting whenever its connection fails`,
  async run(sim: Simulation, params: ScenarioParams) {
    const clients = params.size ?? DEFAULT_CLIENTS;
    const flavor = { model: params.model ?? 'readiness', mechanism: params.mechanism };
    const serverReactor = await sim.host('server').createReactor<Client | null>({ ...flavor, poolSize: 4 * CHAT_CLIENTS_MAX });
    const reactors: Reactor<any>[] = [serverReactor];
    const programs: Program[] = [new ChatServer(sim, serverReactor, clients)];
    // A client's host may crash (the crash fault): it boots again. The server holds the room, so its host never crashes.
    const boots: (Boot | null)[] = [null];
    for (let i = 0; i < clients; i++) {
      const boot = new ClientBoot(sim, flavor, i, clients);
      const { reactor, program } = await boot.boot();
      reactors.push(reactor);
      programs.push(program);
      boots.push(boot);
    }
    return runPrograms(sim, programs, reactors, boots);
  },
};
