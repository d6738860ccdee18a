// Sending to a client in either model. Completion: postWrite, one WRITE event per message.
// Readiness: send what the kernel takes, keep the rest, and ask for WRITE until it drains.
import { EventType } from '../events.js';
import { ReactorError } from '../errors.js';
import type { Reactor } from '../reactor.js';

/** Bytes a readiness client may have waiting before it counts as too slow. */
export const MAX_OUTBOX_BYTES = 256 * 1024;

export interface Outbox {
  fd: number;
  queued: Uint8Array[];
  queuedBytes: number;
}

export class Transport {
  constructor(private readonly reactor: Reactor<unknown>) {}

  /** false when the client cannot keep up (its data would be lost): the caller drops it. */
  send(box: Outbox, data: Uint8Array): boolean {
    if (this.reactor.model === 'completion') {
      try {
        this.reactor.postWrite(box.fd, data);
        return true;
      } catch (e) {
        if (e instanceof ReactorError && e.code === 'ENOBUFS') return false;
        throw e;
      }
    }
    if (box.queuedBytes + data.length > MAX_OUTBOX_BYTES) return false;
    const wasIdle = box.queued.length === 0;
    box.queued.push(data);
    box.queuedBytes += data.length;
    if (wasIdle) this.flush(box);
    return true;
  }

  /** Readiness: called on WRITE; sends what it can and watches WRITE only while data waits. */
  flush(box: Outbox): void {
    while (box.queued.length > 0) {
      const head = box.queued[0];
      const sent = this.reactor.os.send(box.fd, head);
      box.queuedBytes -= sent;
      if (sent < head.length) {
        box.queued[0] = head.subarray(sent);
        break;
      }
      box.queued.shift();
    }
    this.reactor.modify(box.fd, EventType.READ | (box.queued.length > 0 ? EventType.WRITE : 0));
  }
}
