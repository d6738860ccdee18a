// The chat room: who is here, and relaying each line to everyone else.
import type { Outbox } from './transport.js';

export interface Member extends Outbox {
  id: number;
  name: string | null;
}

export class Room {
  readonly members = new Map<number, Member>();

  names(): string[] {
    return [...this.members.values()].flatMap((m) => (m.name ? [m.name] : []));
  }

  isTaken(name: string): boolean {
    return this.names().some((n) => n.toLowerCase() === name.toLowerCase());
  }

  /** Everyone with a name except `from`. */
  others(from: Member): Member[] {
    return [...this.members.values()].filter((m) => m !== from && m.name !== null);
  }
}
