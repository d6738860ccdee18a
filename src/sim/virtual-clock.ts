// Virtual time for programs under a Simulation: setTimeout, setInterval (and their clears),
// Date and performance.now of this realm's global follow the simulation's clock, through
// @sinonjs/fake-timers. setImmediate, process.nextTick and queueMicrotask stay real: they order
// work within an instant and the scheduler itself turns on them.
import { withGlobal, type Clock, type FakeMethod } from '@sinonjs/fake-timers';
import type { ProgramClock } from './simulation.js';

const VIRTUAL: FakeMethod[] = ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date', 'performance'];

/** The simulation whose clock is installed now: one at a time, as there is one global. */
let installed: VirtualClock | null = null;

export class VirtualClock implements ProgramClock {
  #clock: Clock | null = null;

  /** Installs this clock on the global at `nowMs`, replacing another simulation's. */
  install(nowMs: number): void {
    if (this.#clock) return;
    installed?.uninstall();
    this.#clock = withGlobal(globalThis).install({ now: nowMs, toFake: VIRTUAL, loopLimit: 1_000_000 });
    installed = this;
  }

  /** Gives the real timers back. Idempotent. */
  uninstall(): void {
    if (!this.#clock) return;
    this.#clock.uninstall();
    this.#clock = null;
    if (installed === this) installed = null;
  }

  get installed(): boolean {
    return this.#clock !== null;
  }

  /** When the next virtual timer is due, in ms; Infinity when none is set. */
  nextAt(): number {
    const next = this.#clock?.timerHeap?.peek();
    return next?.callAt ?? Infinity;
  }

  /** Moves virtual time to `nowMs`, running the timers due by then, in order. */
  advanceTo(nowMs: number): void {
    const clock = this.#clock;
    if (clock && nowMs > clock.now) clock.tick(nowMs - clock.now);
  }
}
