// A traced simulation of at least `events` events for the visualizer's frame-time benchmark: a
// completion-model echo server and readiness clients, each sending a line and awaiting its echo.
import { EventType, type Reactor, type Trace } from '../src/index.js';
import { Simulation } from '../src/sim/index.js';
import { TraceRecorder } from '../src/trace/recorder.js';

const PORT = 7000;
const CLIENTS = 40;

async function server(r: Reactor<string>, done: () => boolean): Promise<void> {
  const { fd: listener } = r.os.listen(PORT);
  r.add(listener, 'listener', EventType.READ);
  while (!done()) {
    for (const e of await r.waitAsync(100)) {
      if (e.type & EventType.ACCEPT) r.add(e.acceptedFd!, `echo ${e.acceptedFd}`, EventType.READ);
      else if (e.type & EventType.READ) {
        r.postWrite(e.fd, e.buffer!);
        r.postRead(e.fd);
      } else if (e.type & (EventType.CLOSE | EventType.ERROR)) r.os.close(e.fd);
    }
  }
}

async function client(r: Reactor<string>, name: string, done: () => boolean): Promise<void> {
  const fd = r.os.connect(PORT, 'server');
  r.add(fd, name, EventType.READ);
  const message = new TextEncoder().encode(`${name}: a line of chat\n`);
  while (!done()) {
    // The message is far smaller than a socket buffer emptied by the last echo: it goes in whole.
    if (r.os.send(fd, message) !== message.length) throw new Error(`${name}: a short write in the benchmark's echo`);
    for (let got = 0; got < message.length && !done(); ) {
      for (const e of await r.waitAsync(100)) {
        const data = e.type & EventType.READ ? r.os.recv(e.fd) : null;
        if (data) got += data.length;
      }
    }
  }
  r.os.close(fd);
}

export async function echoTrace(events: number, seed = 1): Promise<Trace> {
  const recorder = new TraceRecorder({ seed });
  let seen = 0;
  recorder.subscribe((record) => {
    if (record.k === 'event') seen++;
  });
  const done = () => seen >= events;
  const sim = new Simulation({ seed, latencyMs: [1, 3], trace: recorder });
  const serverReactor = await sim.host('server').createReactor<string>({ model: 'completion' });
  const programs = [server(serverReactor, done)];
  for (let i = 0; i < CLIENTS; i++) {
    // A reactor per client: each waits on its own.
    const reactor = await sim.host('clients').createReactor<string>({ model: 'readiness', poolSize: 4, maxSockets: 16 });
    programs.push(client(reactor, `client ${i}`, done));
  }
  await sim.runUntilIdle();
  await Promise.all(programs);
  return recorder.toJSON();
}
