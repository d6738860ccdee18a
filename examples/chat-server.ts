// A small MUD-style telnet chat server on io-reactor's public API: the project's `npm start`.
//   node build/js/examples/chat-server.js [--port 4000] [--host 127.0.0.1] [--model completion|readiness] [--mechanism epoll|poll|io_uring]
//                                         [--max-users 2000] [--name-timeout-ms 60000] [--idle-timeout-ms 0] [--viz-port 4080]
// Built to face the public: no error of the reactor or of a client stops it (each is logged with
// what happened), a client that does not read is dropped at a named limit, so is one that never
// gives a name (and, if asked, one that goes silent), and nothing a client types reaches another
// terminal (or the log) as control characters.
import { Reactor, EventType, ReactorError, type IoEvent, type Model, type Mechanism } from '../src/index.js';
import { LineReader, MAX_LINE_BYTES } from '../src/chat/lines.js';
import { printable } from '../src/chat/printable.js';
import { Room, type Member } from '../src/chat/room.js';
import { Transport, MAX_OUTBOX_BYTES } from '../src/chat/transport.js';
import { Deadlines } from '../src/chat/deadlines.js';
import { LiveFeed } from '../src/viz/live.js';
import { serveViz } from '../src/viz/server.js';
import { parseCommandLine, refuseUsage, UsageError, EXIT_OK } from '../src/cli/usage.js';

/** Connections at once (named or still choosing a name) unless --max-users says otherwise. */
const DEFAULT_MAX_USERS = 2000;
/** Tries at a valid name before the server gives up on a client (garbage is not answered forever). */
const NAME_TRIES_MAX = 5;
/** After an accept fails (out of fds, say), the listener rests this long before accepting again. */
const ACCEPT_PAUSE_MS = 100;
/** How long a client told goodbye has to take the last words before the close. */
const FAREWELL_MS = 2000;
/** Pending connections the kernel holds for us: a burst of a thousand connects waits, not drops. */
const LISTEN_BACKLOG = 4096;
/**
 * How long a client has from connecting to give a name (--name-timeout-ms): one that never speaks
 * would hold a place of --max-users for good.
 */
const DEFAULT_NAME_TIMEOUT_MS = 60_000;
/** How long a named client may stay silent (--idle-timeout-ms); 0, the default: for ever, as a chat may be only read. */
const DEFAULT_IDLE_TIMEOUT_MS = 0;
/** The longest either timeout may be: a day (more is a typo). */
const MAX_TIMEOUT_MS = 24 * 60 * 60 * 1000;

const LISTENER = Symbol('listener');
type Context = Member | typeof LISTENER;

interface Client extends Member {
  reader: LineReader;
  nameTries: number;
  /** Names the client's lane in the visualizer. */
  toString(): string;
}

const USAGE = `usage: npm start -- [--port 4000] [--host 127.0.0.1] [--model completion|readiness] [--mechanism epoll|poll|io_uring] [--max-users 2000]
                    [--name-timeout-ms ${DEFAULT_NAME_TIMEOUT_MS}] [--idle-timeout-ms ${DEFAULT_IDLE_TIMEOUT_MS}] [--viz-port 4080]
  (or: node build/js/examples/chat-server.js [flags]); --port 0 and --viz-port 0 pick free ports
  --name-timeout-ms  a client that has not given a name this long after connecting is told so and let go
  --idle-timeout-ms  a named client that sends nothing this long is told so and let go; 0: never
exit code: 0 stopped by Ctrl-C, 1 cannot listen, 2 bad usage`;

function parseFlags(): {
  port: string;
  host: string;
  model: Model;
  mechanism?: Mechanism;
  'max-users': string;
  nameTimeoutMs: number;
  idleTimeoutMs: number;
  'viz-port'?: string;
} {
  const { values } = parseCommandLine({
    options: {
      port: { type: 'string', default: '4000' },
      host: { type: 'string', default: '127.0.0.1' },
      model: { type: 'string', default: 'completion' },
      // Default: the reactor's own for the model (io_uring for completion where the kernel allows it).
      mechanism: { type: 'string' },
      'max-users': { type: 'string', default: String(DEFAULT_MAX_USERS) },
      'name-timeout-ms': { type: 'string', default: String(DEFAULT_NAME_TIMEOUT_MS) },
      'idle-timeout-ms': { type: 'string', default: String(DEFAULT_IDLE_TIMEOUT_MS) },
      // Default 4080; with --port 0 (tests, several servers at once) any free port.
      'viz-port': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(EXIT_OK);
  }
  for (const flag of ['port', 'viz-port'] as const) {
    const v = values[flag];
    if (v !== undefined && !(/^\d+$/.test(v) && Number(v) <= 65535))
      throw new UsageError(`--${flag} must be a port number from 0 to 65535, got ${JSON.stringify(v)}`);
  }
  if (values.model !== 'completion' && values.model !== 'readiness')
    throw new UsageError(`--model must be completion or readiness, got ${JSON.stringify(values.model)}`);
  const mechanism = values.mechanism;
  if (mechanism !== undefined && mechanism !== 'epoll' && mechanism !== 'poll' && mechanism !== 'io_uring') {
    throw new UsageError(`--mechanism must be epoll, poll or io_uring, got ${JSON.stringify(mechanism)}`);
  }
  if (!/^\d+$/.test(values['max-users']) || Number(values['max-users']) < 1) {
    throw new UsageError(`--max-users must be a whole number of at least 1, got ${JSON.stringify(values['max-users'])}`);
  }
  const nameTimeoutMs = timeoutFlag('name-timeout-ms', values['name-timeout-ms'], 1);
  const idleTimeoutMs = timeoutFlag('idle-timeout-ms', values['idle-timeout-ms'], 0);
  return { ...values, 'max-users': values['max-users'], model: values.model, mechanism, nameTimeoutMs, idleTimeoutMs };
}

function timeoutFlag(flag: string, value: string, min: number): number {
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > MAX_TIMEOUT_MS)
    throw new UsageError(`--${flag} must be a whole number of ms from ${min} to ${MAX_TIMEOUT_MS}, got ${JSON.stringify(value)}`);
  return Number(value);
}

let flags: ReturnType<typeof parseFlags>;
try {
  flags = parseFlags();
} catch (e) {
  if (!(e instanceof UsageError)) throw e;
  process.exit(refuseUsage('chat-server', e.message, USAGE));
}
const maxUsers = Number(flags['max-users']);
const { nameTimeoutMs, idleTimeoutMs } = flags;

const log = (message: string): void => console.log(`${new Date().toISOString()} ${message}`);
const encode = (s: string): Uint8Array => new TextEncoder().encode(s);
const describe = (e: unknown): string => (e instanceof Error ? e.message : String(e));
const inSeconds = (ms: number): string => `${ms / 1000} s`;
/** The clock of every deadline here: monotonic, so a change of the wall clock moves none. */
const nowMs = (): number => performance.now();

// The visualizer beside the chat: the reactor's trace streams live to its page.
const live = new LiveFeed();
const reactor = await Reactor.create<Context>({ model: flags.model, mechanism: flags.mechanism, trace: live });
const transport = Transport.of(reactor as Reactor<unknown>);
const room = new Room();
let listener: { fd: number; port: number };
try {
  listener = reactor.os.listen(Number(flags.port), flags.host, LISTEN_BACKLOG);
} catch (e) {
  console.error(describe(e));
  process.exit(1);
}
reactor.add(listener.fd, LISTENER, EventType.READ);
log(
  `chat server on telnet://${flags.host}:${listener.port} (${reactor.model} model, ${reactor.mechanism}, at most ${maxUsers} users); Ctrl-C stops it`,
);
const vizPort = Number(flags['viz-port'] ?? (flags.port === '0' ? '0' : '4080'));
const viz = await serveViz({ live, port: vizPort }).catch((e: Error) => {
  console.error(`the visualizer cannot listen on 127.0.0.1:${vizPort} (${e.message}); pick another --viz-port, or 0 for any free one`);
  process.exit(1);
});
log(`visualizer on ${viz.url} (open it in a browser to watch the reactor's events live)`);

/** Says `text` to a member not yet told goodbye: after its goodbye, nothing more goes out to it. */
function say(client: Member, text: string): void {
  if (!room.members.has(client.fd) || leaving.has(client)) return;
  try {
    if (!transport.send(client, encode(text)))
      drop(client, `too slow to keep up: ${client.queuedBytes} bytes waiting for it, the limit is ${MAX_OUTBOX_BYTES}`);
  } catch (e) {
    drop(client, `send failed: ${describe(e)}`);
  }
}

function broadcast(from: Member, text: string): void {
  for (const m of room.others(from)) say(m, text);
}

/** Clients told goodbye: closed once what was said to them has gone out, or at their deadline. */
const leaving = new Map<Member, { why: string; deadlineMs: number }>();
/** Clients yet to give a name, by when they must (--name-timeout-ms). */
const naming = new Deadlines<Client>();
/** Named clients, by when their silence lets them go (--idle-timeout-ms, when not 0). */
const silent = new Deadlines<Client>();

function farewell(client: Member, text: string, why: string): void {
  naming.delete(client as Client);
  silent.delete(client as Client);
  say(client, text);
  if (room.members.has(client.fd)) leaving.set(client, { why, deadlineMs: nowMs() + FAREWELL_MS });
}

function closeLeavers(): void {
  for (const [client, { why, deadlineMs }] of leaving) {
    if (client.queuedBytes === 0) drop(client, why);
    else if (nowMs() >= deadlineMs) drop(client, `${why}; ${client.queuedBytes} bytes of the goodbye unsent after ${FAREWELL_MS} ms`);
  }
}

/** A client that gave no name in time, or (with --idle-timeout-ms) went silent, is told so and let go. */
function letGoTheSilent(): void {
  const now = nowMs();
  for (const client of naming.takeExpired(now)) {
    farewell(
      client,
      `\r\nNo name after ${inSeconds(nameTimeoutMs)}. Goodbye.\r\n`,
      `no name within ${nameTimeoutMs} ms of connecting (--name-timeout-ms)`,
    );
  }
  for (const client of silent.takeExpired(now)) {
    farewell(
      client,
      `Nothing from you for ${inSeconds(idleTimeoutMs)}; disconnecting. Goodbye.\r\n`,
      `silent for ${idleTimeoutMs} ms (--idle-timeout-ms)`,
    );
  }
}

/** The named client was heard from: its silence starts again. */
function heardFrom(client: Client): void {
  if (idleTimeoutMs > 0 && client.name !== null && !leaving.has(client)) silent.set(client, nowMs() + idleTimeoutMs);
}

function turnAway(fd: number, text: string, why: string): void {
  try {
    reactor.os.send(fd, encode(text));
  } catch {
    /* it may have gone already */
  }
  reactor.os.close(fd);
  log(`refused fd=${fd}: ${why}`);
}

function welcome(fd: number): void {
  if (room.members.size >= maxUsers) {
    return turnAway(fd, `The server is full (${maxUsers} users). Try again later.\r\n`, `server full (--max-users ${maxUsers})`);
  }
  const client: Client = {
    id: fd,
    fd,
    name: null,
    queued: [],
    queuedBytes: 0,
    inFlightBytes: 0,
    watchingWrite: false,
    reader: new LineReader(),
    nameTries: 0,
    toString: () => 'telnet client',
  };
  try {
    reactor.add(fd, client, EventType.READ);
  } catch (e) {
    return turnAway(fd, 'The server is busy. Try again later.\r\n', `cannot watch it: ${describe(e)}`);
  }
  room.members.set(fd, client);
  naming.set(client, nowMs() + nameTimeoutMs);
  log(`connect fd=${fd} (${room.members.size} online)`);
  say(client, 'Welcome to the io-reactor chat.\r\nWhat is your name? ');
}

function drop(client: Member, why: string): void {
  if (!room.members.delete(client.fd)) return;
  leaving.delete(client);
  naming.delete(client as Client);
  silent.delete(client as Client);
  transport.forget(client);
  const unfinished = (client as Client).reader.unfinishedBytes;
  try {
    reactor.os.close(client.fd);
  } catch (e) {
    log(`close fd=${client.fd} failed: ${describe(e)}`);
  }
  log(
    `disconnect fd=${client.fd} ${client.name ?? '(unnamed)'}: ${why}${unfinished ? `, ${unfinished} bytes of an unfinished line discarded` : ''}`,
  );
  if (client.name) broadcast(client, `* ${client.name} left.\r\n`);
}

function onName(client: Client, text: string): void {
  if (++client.nameTries > NAME_TRIES_MAX) {
    return farewell(client, `No valid name after ${NAME_TRIES_MAX} tries. Goodbye.\r\n`, `no valid name after ${NAME_TRIES_MAX} tries`);
  }
  if (!/^[A-Za-z][A-Za-z0-9_-]{0,19}$/.test(text))
    return say(client, 'A name is a letter, then up to 19 letters, digits, _ or -. Your name? ');
  if (room.isTaken(text)) return say(client, `${text} is taken. Another name? `);
  client.name = text;
  naming.delete(client);
  heardFrom(client);
  log(`fd=${client.fd} is ${text}`);
  say(client, `Hello, ${text}. Online: ${room.names().join(', ')}. Commands: /who, /quit\r\n`);
  broadcast(client, `* ${text} joined.\r\n`);
}

function onLine(client: Client, line: string): void {
  const text = printable(line).trim();
  if (text === '/quit') return drop(client, 'quit');
  if (client.name === null) return onName(client, text);
  if (text === '/who') return say(client, `Online: ${room.names().join(', ')}\r\n`);
  if (text === '') return;
  log(`relay ${client.name}: ${text}`);
  broadcast(client, `[${client.name}] ${text}\r\n`);
}

function onData(client: Client, bytes: Uint8Array): void {
  heardFrom(client);
  for (const result of client.reader.push(bytes)) {
    if (!room.members.has(client.fd) || leaving.has(client)) return;
    if ('line' in result) onLine(client, result.line);
    else say(client, `That line was ${result.tooLong} bytes; the limit is ${MAX_LINE_BYTES}. It was not sent.\r\n`);
  }
}

function onClientEvent(client: Client, ev: IoEvent<Context>): void {
  if (ev.type & EventType.READ) {
    if (reactor.model === 'completion') {
      onData(client, ev.buffer!);
      if (room.members.has(client.fd)) reactor.postRead(client.fd);
    } else {
      const bytes = reactor.os.recv(client.fd);
      if (bytes && bytes.length === 0) return drop(client, 'closed by client');
      if (bytes) onData(client, bytes);
    }
  }
  if (!room.members.has(client.fd)) return;
  if (ev.type & EventType.WRITE) {
    if (reactor.model === 'readiness') transport.flush(client);
    else transport.written(client);
  }
  if (ev.type & EventType.CLOSE) drop(client, ev.error ? `connection ${ev.error.code}` : 'closed by client');
  else if (ev.type & EventType.ERROR) drop(client, `error ${ev.error?.code ?? ''}`);
}

// Accepts that failed (EMFILE, say) stop the listener for ACCEPT_PAUSE_MS: the connection stays
// pending, and accepting at once would fail again at once.
let acceptsResumeAt: number | null = null;
/** Completion: accepts the failures consumed, posted again on resuming. */
let acceptsToRepost = 0;
let acceptFailures = 0;

function pauseAccepts(why: string): void {
  if (acceptFailures++ === 0)
    log(`accept failed: ${why}; ${room.members.size} online; accepting again every ${ACCEPT_PAUSE_MS} ms until it works`);
  if (acceptsResumeAt !== null) return;
  acceptsResumeAt = nowMs() + ACCEPT_PAUSE_MS;
  if (reactor.model === 'readiness') reactor.modify(listener.fd, 0);
}

function resumeAccepts(): void {
  acceptsResumeAt = null;
  try {
    if (reactor.model === 'readiness') reactor.modify(listener.fd, EventType.READ);
    for (; acceptsToRepost > 0; acceptsToRepost--) reactor.postRead(listener.fd);
  } catch (e) {
    pauseAccepts(`re-arming the listener: ${describe(e)}`);
  }
}

function accepted(fd: number): void {
  if (acceptFailures > 0) log(`accepting again after ${acceptFailures} failed accepts`);
  acceptFailures = 0;
  welcome(fd);
}

function onListenerEvent(ev: IoEvent<Context>): void {
  if (ev.type & EventType.ACCEPT) return accepted(ev.acceptedFd!);
  if (ev.type & (EventType.ERROR | EventType.CLOSE)) {
    acceptsToRepost++;
    return pauseAccepts(`${ev.error?.code ?? 'error'} (os code ${ev.error?.osCode ?? '?'})`);
  }
  for (;;) {
    let fd: number | null;
    try {
      fd = reactor.os.accept(listener.fd);
    } catch (e) {
      if (e instanceof ReactorError && e.code === 'ECONNABORTED') continue;
      return pauseAccepts(describe(e));
    }
    if (fd === null) return;
    accepted(fd);
  }
}

function onEvent(ev: IoEvent<Context>): void {
  try {
    if (ev.context === LISTENER) onListenerEvent(ev);
    else onClientEvent(ev.context as Client, ev);
  } catch (e) {
    log(`event ${ev.type} on fd=${ev.fd} failed: ${describe(e)}`);
    if (ev.context !== LISTENER) drop(ev.context as Client, `failed: ${describe(e)}`);
  }
}

let stopping = false;
process.on('SIGINT', () => {
  stopping = true;
  reactor.wakeup();
});
process.on('SIGTERM', () => {
  stopping = true;
  reactor.wakeup();
});

/** When the loop must look at the clock again: accepts to resume, goodbyes to give up on, clients to let go. */
function nextDeadlineMs(): number | null {
  const deadlines = [...leaving.values()].map((l) => l.deadlineMs);
  for (const at of [acceptsResumeAt, naming.next(), silent.next()]) if (at !== null) deadlines.push(at);
  return deadlines.length === 0 ? null : Math.max(1, Math.min(...deadlines) - nowMs());
}

while (!stopping) {
  const timeoutMs = nextDeadlineMs();
  let events: IoEvent<Context>[];
  try {
    events = await reactor.waitAsync(timeoutMs);
  } catch (e) {
    log(`wait failed: ${describe(e)}; waiting again in ${ACCEPT_PAUSE_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, ACCEPT_PAUSE_MS));
    continue;
  }
  transport.batch(
    () => events.forEach(onEvent),
    (box, e) => drop(box as Client, `send failed: ${describe(e)}`),
  );
  letGoTheSilent();
  closeLeavers();
  if (acceptsResumeAt !== null && nowMs() >= acceptsResumeAt) resumeAccepts();
}

log(`shutting down: ${room.members.size} online`);
for (const m of [...room.members.values()]) {
  // A last word straight to the socket, when nothing queued is ahead of it; then the close.
  if (m.queuedBytes === 0) {
    try {
      reactor.os.send(m.fd, encode('\r\nThe server is shutting down. Goodbye.\r\n'));
    } catch {
      /* the connection is already broken: the close is all that is left */
    }
  }
  drop(m, 'server shutdown');
}
reactor.os.close(listener.fd);
reactor.destroy();
await viz.close();
log('stopped');
