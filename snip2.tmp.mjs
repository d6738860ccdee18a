import http from 'node:http';
import { Simulation } from 'io-reactor/sim';
import { traceHash } from 'io-reactor';
const sim = new Simulation({ seed: 7, latencyMs: [1, 20], faults: { resetRate: 0.01 }, trace: true });
const server = http.createServer((req, res) => res.end('ok'));        // the app, unchanged
sim.host('api').net.createServer((s) => server.emit('connection', s)).listen(80);
const req = http.request({ host: 'api', port: 80, path: '/',
  createConnection: (o) => sim.host('client').net.connect(o.port, o.host) }, (res) => { res.on('data', d => console.log(res.statusCode, String(d), res.headers)); });
req.end();
await sim.runUntilIdle();                 // same seed → same trace hash, every time
console.log(sim.now, traceHash(sim.trace()));
