// The core's memory is made at its final size, never grown: a grow detaches the old ArrayBuffer,
// and once any ArrayBuffer is detached V8 checks for it at every typed array access in the process.
import { Reactor } from '../src/index.js';

test.each([
  ['readiness', 'native'],
  ['completion', 'native'],
  ['completion', 'sim'],
] as const)('creating a %s reactor (%s) grows no WebAssembly memory', async (model, backend) => {
  const grow = WebAssembly.Memory.prototype.grow;
  let grown = 0;
  WebAssembly.Memory.prototype.grow = function (this: WebAssembly.Memory, pages: number) {
    grown++;
    return grow.call(this, pages);
  };
  try {
    const reactor = await Reactor.create({ model, backend, poolSize: 64, maxSockets: 128 });
    expect(reactor.stats().poolSize).toBe(64);
    reactor.destroy();
  } finally {
    WebAssembly.Memory.prototype.grow = grow;
  }
  expect(grown).toBe(0);
});
