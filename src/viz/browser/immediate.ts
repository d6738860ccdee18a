// setImmediate for the page: the Simulation yields to the programs it runs with it. A message
// channel runs the callback as the next task without setTimeout's 4 ms clamp.
const channel = new MessageChannel();
const queue: (() => void)[] = [];
channel.port1.onmessage = () => queue.shift()?.();

(globalThis as { setImmediate?: unknown }).setImmediate ??= (run: () => void) => {
  queue.push(run);
  channel.port2.postMessage(0);
};
