// What a simulated wait throws when nothing could ever end it. Outside src/sim/ because the API
// exports it (a reactor created with backend 'sim' throws it) and must not load the simulator.
/** Thrown when a wait could only end by an event that nothing will ever produce. */
export class SimulationDeadlock extends Error {
  constructor(now: number) {
    super(
      `simulation deadlock at ${now} ms: a wait without timeout, and nothing scheduled that could end it; give the wait a timeout or make the peer act`,
    );
    this.name = 'SimulationDeadlock';
  }
}
