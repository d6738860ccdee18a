// io-reactor/sim: simulations of several hosts on one network, in virtual time.
export { Simulation, SimHost, type SimulationOptions } from './simulation.js';
export { SimulationDeadlock } from './kernel.js';
export { FAULT_KINDS, STALL_MS, PARTITION_MS, type FaultRates, type FaultReport, type FaultKind, type Injection } from './faults.js';
export type { SimConsole } from './console.js';
export { InvariantViolation, INVARIANTS } from './oracle.js';
