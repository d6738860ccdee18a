// A traced echo over real loopback sockets between two native reactors in this process, for the
// tests of the loopback wire (src/trace/loopback.ts) and of the page's arrows: a server echoes what
// a client sends (each in either model), a message large enough to be read in pieces among them,
// and the client ends with a FIN, which the server answers by closing once its echo is out.
import { EventType, Reactor, TraceRecorder, type Trace } from '../src/index.js';
import type { Mechanism, Model } from './helpers.js';

/** What the client sends, in order: small lines, and one message no single read takes whole. */
export const ECHO_MESSAGES: readonly Uint8Array[] = [
  new TextEncoder().encode('hello over loopback\n'),
  new TextEncoder().encode('a second line\n'),
  Uint8Array.from({ length: 100_000 }, (_, i) => 0x61 + (i % 26)),
];
const TOTAL_BYTES = ECHO_MESSAGES.reduce((n, m) => n + m.length, 0);
const DEADLINE_MS = 10_000;

export interface LoopbackEcho {
  trace: Trace;
  /** The bytes the client got back. */
  echoed: Uint8Array;
}

/** A completion server: accepts (ACCEPT brings the socket), posts each read back as a write, closes at the FIN once its writes are done. */
function completionEchoServer(server: Reactor<string>, listener: number): () => void {
  const writing = new Map<number, number>();
  const ended = new Set<number>();
  return () => {
    for (const e of server.wait(1)) {
      if (e.fd === listener) {
        if (e.type & EventType.ACCEPT) {
          server.add(e.acceptedFd!, 'echo', EventType.READ);
          writing.set(e.acceptedFd!, 0);
        }
        continue;
      }
      if (e.type & EventType.READ && e.buffer) {
        server.postWrite(e.fd, e.buffer.slice());
        writing.set(e.fd, writing.get(e.fd)! + 1);
        server.postRead(e.fd);
      } else if (e.type & EventType.WRITE) writing.set(e.fd, writing.get(e.fd)! - 1);
      else if (e.type & EventType.CLOSE) ended.add(e.fd);
      if (ended.has(e.fd) && writing.get(e.fd) === 0) {
        server.os.close(e.fd);
        ended.delete(e.fd);
        writing.delete(e.fd);
      }
    }
  };
}

/** A readiness server: accepts, echoes each chunk as far as the kernel takes it, closes at the client's FIN. */
function echoServer(server: Reactor<string>, listener: number): () => void {
  const pending = new Map<number, Uint8Array[]>();
  const ended = new Set<number>();
  return () => {
    for (const e of server.wait(1)) {
      if (e.fd === listener) {
        for (let fd = server.os.accept(listener); fd !== null; fd = server.os.accept(listener)) {
          server.add(fd, 'echo', EventType.READ);
          pending.set(fd, []);
        }
        continue;
      }
      const queue = pending.get(e.fd)!;
      if (e.type & EventType.READ) {
        for (let got = server.os.recv(e.fd); got !== null; got = server.os.recv(e.fd)) {
          if (got.length === 0) {
            ended.add(e.fd);
            break;
          }
          queue.push(got);
        }
      }
      while (queue.length > 0) {
        const sent = server.os.send(e.fd, queue[0]);
        if (sent === queue[0].length) queue.shift();
        else {
          queue[0] = queue[0].subarray(sent);
          break;
        }
      }
      if (ended.has(e.fd) && queue.length === 0) {
        server.os.close(e.fd);
        pending.delete(e.fd);
        ended.delete(e.fd);
      } else server.modify(e.fd, queue.length > 0 ? EventType.READ | EventType.WRITE : EventType.READ);
    }
  };
}

/** The client's side: sends every message, collects the echo, then shuts down and waits for the server's close. */
function echoClient(client: Reactor<string>, fd: number, model: Model, echoed: Uint8Array): () => boolean {
  let got = 0;
  let shut = false;
  let closed = false;
  const take = (bytes: Uint8Array): void => {
    echoed.set(bytes, got);
    got += bytes.length;
  };
  const unsent = [...ECHO_MESSAGES];
  if (model === 'completion') for (const m of unsent.splice(0)) client.postWrite(fd, m);
  return () => {
    for (const e of client.wait(1)) {
      if (model === 'completion') {
        if (e.type & EventType.CLOSE) closed = true;
        else if (e.type & EventType.READ) {
          take(e.buffer!);
          client.postRead(fd);
        }
        continue;
      }
      for (let bytes = client.os.recv(fd); bytes !== null; bytes = client.os.recv(fd)) {
        if (bytes.length === 0) {
          closed = true;
          break;
        }
        take(bytes);
      }
    }
    while (unsent.length > 0) {
      const sent = client.os.send(fd, unsent[0]);
      if (sent < unsent[0].length) {
        unsent[0] = unsent[0].subarray(sent);
        break;
      }
      unsent.shift();
    }
    if (got === TOTAL_BYTES && !shut) {
      client.os.shutdown(fd);
      shut = true;
    }
    return closed;
  };
}

/** The models and mechanisms of the two ends. */
export interface EchoEnds {
  server?: Model;
  client: Model;
  clientMechanism?: Mechanism;
}

/** Runs the echo, both reactors recording into one TraceRecorder, and returns its trace. */
export async function loopbackEcho(ends: EchoEnds): Promise<LoopbackEcho> {
  const recorder = new TraceRecorder();
  const serverModel = ends.server ?? 'readiness';
  const server = await Reactor.create<string>({ model: serverModel, trace: recorder });
  const client = await Reactor.create<string>({ model: ends.client, mechanism: ends.clientMechanism, trace: recorder });
  const { fd: listener, port } = server.os.listen(0, '127.0.0.1');
  const fd = client.os.connect(port, '127.0.0.1');
  const echoed = new Uint8Array(TOTAL_BYTES);
  try {
    server.add(listener, 'listener', EventType.READ);
    client.add(fd, 'client', EventType.READ);
    const serve = (serverModel === 'completion' ? completionEchoServer : echoServer)(server, listener);
    const talk = echoClient(client, fd, ends.client, echoed);
    for (const end = Date.now() + DEADLINE_MS; !talk(); serve()) {
      if (Date.now() > end) throw new Error('the loopback echo did not finish in time');
    }
  } finally {
    client.os.close(fd);
    server.os.close(listener);
    client.destroy();
    server.destroy();
  }
  return { trace: recorder.toJSON(), echoed };
}
