// io-reactor/sim: simulations of several hosts on one network, in virtual time.
import './host-net.js'; // gives every SimHost its `net`
export { Simulation, SimHost, type SimulationOptions } from './simulation.js';
export { SimulationDeadlock } from '../deadlock.js';
export { FAULT_KINDS, STALL_MS, PARTITION_MS, type FaultKind, type Injection } from './faults.js';
export type { FaultRates, FaultReport } from '../faults.js';
export type { SimConsole } from './console.js';
export { InvariantViolation, INVARIANTS } from './oracle.js';
