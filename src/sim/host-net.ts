// sim.host(name).net: io-reactor/net bound to a simulated host, over one readiness reactor of the
// host, and the programs' timers on the simulation's virtual time. A host name is its address,
// so connects need no resolver.
import { provideHostNet } from './simulation.js';
import { netApi } from '../net/api.js';
import { NetLoop, type Watcher } from '../net/loop.js';
import { VirtualClock } from './virtual-clock.js';

provideHostNet({
  net: (host, opening) =>
    netApi(() => ({
      loop: new NetLoop({ open: () => opening(host.createReactor<Watcher>({ model: 'readiness' })), native: false }),
      resolve: (name, done) => process.nextTick(done, null, name),
      anyAddress: '0.0.0.0',
    })),
  clock: () => new VirtualClock(),
});
