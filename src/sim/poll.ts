// The simulated kernel's poll(): the readiness of each fd of a list, level-triggered.
import { EPOLL, POLL } from '../seam.js';

const ALWAYS = EPOLL.EPOLLERR | EPOLL.EPOLLHUP;

/** What a PollList holds before its first poll: every reactor's kernel calls have one, and most never poll. */
const NONE = new Int32Array(0);

/** The fds a poll() looks at, with the events asked and (filled in) found; reused between calls. */
export class PollList {
  count = 0;
  fds = NONE;
  events = NONE;
  revents = NONE;

  /** Room for `count` entries (the contents are then the caller's to fill). */
  resize(count: number): void {
    if (this.fds.length < count) {
      this.fds = new Int32Array(count);
      this.events = new Int32Array(count);
      this.revents = new Int32Array(count);
    }
    this.count = count;
  }
}

/** The kernel whose files a poll looks at. */
export interface PolledFiles {
  isOpen(fd: number): boolean;
  readiness(fd: number): number;
}

/** Fills each entry's revents (POLLNVAL for a closed fd, nothing for a negative one); returns how many are ready. */
export function pollOnce(list: PollList, files: PolledFiles): number {
  let n = 0;
  for (let i = 0; i < list.count; i++) {
    const fd = list.fds[i];
    const revents = fd < 0 ? 0 : files.isOpen(fd) ? files.readiness(fd) & (list.events[i] | ALWAYS) : POLL.POLLNVAL;
    list.revents[i] = revents;
    if (revents) n++;
  }
  return n;
}
