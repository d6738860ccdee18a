// The simulated kernel's eventfd: a counter that is readable while above zero (the shim's wakeup).
import { EPOLL } from '../seam.js';
import { Watched, changed } from './file.js';

export class EventFd extends Watched {
  readonly kind = 'eventfd';
  count = 0;

  signal(): void {
    this.count++;
    changed(this);
  }

  drain(): void {
    this.count = 0;
  }

  /** Readable while signalled; always writable. */
  get readiness(): number {
    return (this.count > 0 ? EPOLL.EPOLLIN : 0) | EPOLL.EPOLLOUT;
  }
}
