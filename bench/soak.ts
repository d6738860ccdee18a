// npm run soak: 10,000 loopback connections held by an echo server on a default completion
// reactor, with traffic on a rotating subset, for a bounded time (default 2 minutes). Prints each
// minute the server's fds, RSS, pool use and round trips; at the end checks that fds and pool are
// back at their baseline and reports the RSS growth. Not a test: it stops by itself.
//   npm run soak -- [--minutes N] [--connections 10000] [--per-tick 100] [--tick-ms 50] [--size 32]
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, readlinkSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Reactor, EventType } from '../src/index.js';
import { instantiateCore } from '../src/core.js';
import { DEFAULT_POOL_SIZE, DEFAULT_BUFFER_SIZE } from '../src/limits.js';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '2' },
    connections: { type: 'string', default: '10000' },
    'per-tick': { type: 'string', default: '100' },
    'tick-ms': { type: 'string', default: '50' },
    size: { type: 'string', default: '32' },
  },
});
const minutes = Number(values.minutes);
const connections = Number(values.connections);
if (!(minutes > 0) || !Number.isInteger(connections) || connections < 1) {
  console.error('soak: --minutes must be positive and --connections a positive integer');
  process.exit(2);
}

const MB = 1024 * 1024;
const fds = (): number => readdirSync('/proc/self/fd').length;
/** The server's sockets (the listener and connections), apart from Node's own pipes and files. */
const sockets = (): number =>
  readdirSync('/proc/self/fd').filter((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`).startsWith('socket:');
    } catch {
      return false;
    }
  }).length;
const rss = (): number => process.memoryUsage().rss;
const settle = async (): Promise<void> => {
  globalThis.gc?.();
  await new Promise((r) => setTimeout(r, 200));
};

/** The core's memory for each registration it can hold: two sizes of the table, compared. */
async function coreBytesPerSocket(): Promise<number> {
  const small = 16384; // past MAX_EVENTS_PER_WAIT, where the result ring stops growing
  const large = 65536;
  const bytes = async (sockets: number): Promise<number> =>
    (await instantiateCore({ poolSize: DEFAULT_POOL_SIZE, bufferSize: DEFAULT_BUFFER_SIZE, maxSockets: sockets }))!.plan(
      DEFAULT_POOL_SIZE,
      DEFAULT_BUFFER_SIZE,
      sockets,
    );
  return ((await bytes(large)) - (await bytes(small))) / (large - small);
}

function request<T>(child: ChildProcess, message: object, key: string): Promise<T> {
  const reply = new Promise<T>((resolve) => {
    const on = (m: Record<string, unknown>): void => {
      if (m.error) {
        console.error(`soak: peer failed: ${m.error}`);
        process.exit(1);
      }
      if (!(key in m)) return;
      child.off('message', on);
      resolve(m as T);
    };
    child.on('message', on);
  });
  child.send(message);
  return reply;
}

// The peer process first: starting a child opens fds of Node's own, which are not the server's.
const peer = fork(new URL('./soak-peer.js', import.meta.url).pathname, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
const reactor = await Reactor.create<number>({ model: 'completion' });
const { fd: listener, port } = reactor.os.listen(0, '127.0.0.1', 4096);
reactor.add(listener, -1, EventType.READ);
await reactor.waitAsync(0);
await settle();
const base = { fds: fds(), sockets: sockets(), rss: rss(), pool: reactor.stats().poolInUse };
console.log(
  `soak: ${connections} connections for ${minutes} min on a default completion reactor (poolSize ${reactor.stats().poolSize}, bufferSize ${reactor.stats().bufferSize})`,
);
console.log(
  `baseline: ${base.fds} fds (${base.sockets} sockets), RSS ${(base.rss / MB).toFixed(1)} MB, pool in use ${base.pool} (the listener's accepts)`,
);

let open = 0;
let running = true;
let refusals = 0;
/** The echo server: runs until `running` is false, between the driver's steps. */
const server = (async () => {
  while (running) {
    for (const e of await reactor.waitAsync(50)) {
      if (e.fd === listener) {
        if (e.type & EventType.ACCEPT && e.acceptedFd! >= 0) {
          reactor.add(e.acceptedFd!, e.acceptedFd!, EventType.READ);
          open++;
        }
      } else if (e.type & (EventType.CLOSE | EventType.ERROR)) {
        reactor.os.close(e.fd);
        open--;
      } else if (e.type & EventType.READ && e.buffer) {
        try {
          reactor.postWrite(e.fd, e.buffer);
        } catch {
          refusals++; // ENOBUFS past maxQueuedWriteBytes: the peer will see a short echo
        }
        reactor.postRead(e.fd);
      }
    }
  }
})();

const t0 = performance.now();
await request(peer, { connect: port, count: connections }, 'connected');
while (open < connections) await new Promise((r) => setTimeout(r, 20));
await settle();
const idle = { fds: fds(), rss: rss() };
console.log(
  `connected in ${((performance.now() - t0) / 1000).toFixed(1)} s: ${idle.fds - base.fds} more fds, RSS +${((idle.rss - base.rss) / MB).toFixed(1)} MB = ${Math.round((idle.rss - base.rss) / connections)} bytes per idle connection (process); core ${Math.round(await coreBytesPerSocket())} bytes per registration`,
);
console.log('minute  connections    fds  RSS MB  pool in use (high)  reads waiting  round trips (this minute)  bad echoes');

peer.send({ traffic: Number(values.size), perTick: Number(values['per-tick']), tickMs: Number(values['tick-ms']) });
let last = 0;
const wholeMinutes = Math.ceil(minutes);
for (let m = 1; m <= wholeMinutes; m++) {
  await new Promise((r) => setTimeout(r, Math.min(1, minutes - (m - 1)) * 60_000));
  const report = await request<{ roundTrips: number; badEchoes: number }>(peer, { report: true }, 'roundTrips');
  const s = reactor.stats();
  console.log(
    `${String(m).padStart(6)}  ${String(open).padStart(11)}  ${String(fds()).padStart(5)}  ${(rss() / MB).toFixed(1).padStart(6)}  ${`${s.poolInUse} (${s.poolHighWater})`.padStart(18)}  ${String(s.readsWaiting).padStart(13)}  ${`${report.roundTrips} (${report.roundTrips - last})`.padStart(25)}  ${String(report.badEchoes).padStart(10)}`,
  );
  last = report.roundTrips;
}

await request(peer, { close: true }, 'closed');
for (const end = Date.now() + 30_000; open > 0 && Date.now() < end; ) await new Promise((r) => setTimeout(r, 20));
running = false;
await server;
await reactor.waitAsync(0);
await settle();
const after = { fds: fds(), sockets: sockets(), rss: rss(), pool: reactor.stats().poolInUse };
const back = after.sockets === base.sockets && after.fds === base.fds && after.pool === base.pool && open === 0;
console.log(
  `end: ${open} connections open, ${after.fds} fds (baseline ${base.fds}), ${after.sockets} sockets (baseline ${base.sockets}), pool in use ${after.pool} (baseline ${base.pool}), ENOBUFS refusals ${refusals}; RSS ${(after.rss / MB).toFixed(1)} MB, +${((after.rss - base.rss) / MB).toFixed(1)} MB over the baseline`,
);
console.log(back ? 'soak: fds and pool back at baseline' : 'soak: NOT back at baseline');
peer.disconnect();
await once(peer, 'exit');
reactor.os.close(listener);
reactor.destroy();
process.exit(back ? 0 : 1);
