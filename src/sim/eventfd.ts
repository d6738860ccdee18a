// The simulated kernel's eventfd: a counter that is readable while above zero (the shim's wakeup).
import { Watched } from './file.js';

export class EventFd extends Watched {
  readonly kind = 'eventfd';
  count = 0;
}
