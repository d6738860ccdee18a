// A small MUD-style telnet chat server on io-reactor's public API: the project's `npm start`.
//   node build/js/examples/chat-server.js [--port 4000] [--host 127.0.0.1] [--model completion|readiness] [--mechanism epoll|poll] [--viz-port 4080]
import { parseArgs } from 'node:util';
import { Reactor, EventType, ReactorError, type IoEvent, type Model, type Mechanism } from '../src/index.js';
import { LineReader, MAX_LINE_BYTES } from '../src/chat/lines.js';
import { Room, type Member } from '../src/chat/room.js';
import { Transport } from '../src/chat/transport.js';
import { LiveFeed } from '../src/viz/live.js';
import { serveViz } from '../src/viz/server.js';

const LISTENER = Symbol('listener');
type Context = Member | typeof LISTENER;

interface Client extends Member {
  reader: LineReader;
  /** Names the client's lane in the visualizer. */
  toString(): string;
}

const { values: flags } = parseArgs({
  options: {
    port: { type: 'string', default: '4000' },
    host: { type: 'string', default: '127.0.0.1' },
    model: { type: 'string', default: 'completion' },
    mechanism: { type: 'string', default: 'epoll' },
    // Default 4080; with --port 0 (tests, several servers at once) any free port.
    'viz-port': { type: 'string' },
  },
});

const log = (message: string): void => console.log(`${new Date().toISOString()} ${message}`);
const encode = (s: string): Uint8Array => new TextEncoder().encode(s);

// The visualizer beside the chat: the reactor's trace streams live to its page.
const live = new LiveFeed();
const reactor = await Reactor.create<Context>({ model: flags.model as Model, mechanism: flags.mechanism as Mechanism, trace: live });
const transport = new Transport(reactor as Reactor<unknown>);
const room = new Room();
let listener: { fd: number; port: number };
try {
  listener = reactor.os.listen(Number(flags.port), flags.host);
} catch (e) {
  console.error(e instanceof ReactorError ? e.message : e);
  process.exit(1);
}
reactor.add(listener.fd, LISTENER, EventType.READ);
log(`chat server on telnet://${flags.host}:${listener.port} (${reactor.model} model, ${reactor.mechanism}); Ctrl-C stops it`);
const vizPort = Number(flags['viz-port'] ?? (flags.port === '0' ? '0' : '4080'));
const viz = await serveViz({ live, port: vizPort }).catch((e: Error) => {
  console.error(`the visualizer cannot listen on 127.0.0.1:${vizPort} (${e.message}); pick another --viz-port, or 0 for any free one`);
  process.exit(1);
});
log(`visualizer on ${viz.url} (open it in a browser to watch the reactor's events live)`);

function say(client: Member, text: string): void {
  if (!transport.send(client, encode(text))) drop(client, 'too slow to keep up');
}

function broadcast(from: Member, text: string): void {
  for (const m of room.others(from)) say(m, text);
}

function welcome(fd: number): void {
  const client: Client = { id: fd, fd, name: null, queued: [], queuedBytes: 0, reader: new LineReader(), toString: () => 'telnet client' };
  room.members.set(fd, client);
  reactor.add(fd, client, EventType.READ);
  log(`connect fd=${fd} (${room.members.size} online)`);
  say(client, 'Welcome to the io-reactor chat.\r\nWhat is your name? ');
}

function drop(client: Member, why: string): void {
  if (!room.members.delete(client.fd)) return;
  const unfinished = (client as Client).reader.unfinishedBytes;
  reactor.os.close(client.fd);
  log(`disconnect fd=${client.fd} ${client.name ?? '(unnamed)'}: ${why}${unfinished ? `, ${unfinished} bytes of an unfinished line discarded` : ''}`);
  if (client.name) broadcast(client, `* ${client.name} left.\r\n`);
}

function onLine(client: Client, line: string): void {
  const text = line.trim();
  if (client.name === null) {
    if (!/^[A-Za-z][A-Za-z0-9_-]{0,19}$/.test(text)) return say(client, 'A name is a letter, then up to 19 letters, digits, _ or -. Your name? ');
    if (room.isTaken(text)) return say(client, `${text} is taken. Another name? `);
    client.name = text;
    log(`fd=${client.fd} is ${text}`);
    say(client, `Hello, ${text}. Online: ${room.names().join(', ')}. Commands: /who, /quit\r\n`);
    return broadcast(client, `* ${text} joined.\r\n`);
  }
  if (text === '/quit') return drop(client, 'quit');
  if (text === '/who') return say(client, `Online: ${room.names().join(', ')}\r\n`);
  if (text === '') return;
  log(`relay ${client.name}: ${text}`);
  broadcast(client, `[${client.name}] ${text}\r\n`);
}

function onData(client: Client, bytes: Uint8Array): void {
  for (const result of client.reader.push(bytes)) {
    if (!room.members.has(client.fd)) return;
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
  if ((ev.type & EventType.WRITE) && reactor.model === 'readiness') transport.flush(client);
  if (ev.type & EventType.CLOSE) drop(client, ev.error ? `connection ${ev.error.code}` : 'closed by client');
  else if (ev.type & EventType.ERROR) drop(client, `error ${ev.error?.code ?? ''}`);
}

function onEvent(ev: IoEvent<Context>): void {
  if (ev.context !== LISTENER) return onClientEvent(ev.context as Client, ev);
  if (ev.type & EventType.ACCEPT) return welcome(ev.acceptedFd!);
  for (let fd = reactor.os.accept(listener.fd); fd !== null; fd = reactor.os.accept(listener.fd)) welcome(fd);
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

while (!stopping) {
  for (const ev of await reactor.waitAsync(null)) onEvent(ev);
}

log(`shutting down: ${room.members.size} online`);
for (const m of [...room.members.values()]) {
  reactor.os.send(m.fd, encode('\r\nThe server is shutting down. Goodbye.\r\n'));
  drop(m, 'server shutdown');
}
reactor.os.close(listener.fd);
reactor.destroy();
await viz.close();
log('stopped');
