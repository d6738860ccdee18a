// io-reactor/sim: simulations of several hosts on one network, in virtual time.
export { Simulation, SimHost, type SimulationOptions } from './simulation.js';
export { SimulationDeadlock } from './kernel.js';
export type { FaultRates, FaultReport } from './faults.js';
export { InvariantViolation, INVARIANTS } from './oracle.js';
