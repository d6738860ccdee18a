// mechanism 'io_uring' on the real kernel: what a reactor over it reports, and what the app gets
// where the kernel refuses io_uring (run under a seccomp filter, as in a container that forbids it).
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { EventType } from '../src/index.js';
import { reactor, destroyAll, pair, closeOwned, text, str, waitUntil } from './helpers.js';

afterEach(() => {
  destroyAll();
  closeOwned();
});

test('a completion reactor takes io_uring by default (the benchmark found it cheaper than the epoll emulation), readiness epoll; io_uring is named by stats() and data round-trips through it', async () => {
  const byDefault = await reactor({ model: 'completion' });
  expect(byDefault.stats().mechanism).toBe('io_uring');
  expect((await reactor({ model: 'readiness' })).stats().mechanism).toBe('epoll');
  const r = await reactor<string>({ model: 'completion', mechanism: 'io_uring' });
  expect(r.stats()).toMatchObject({ backend: 'native', model: 'completion', mechanism: 'io_uring' });
  const [a, b] = pair(r);
  r.add(a, 'a', EventType.READ);
  r.add(b, 'b', 0);
  r.postWrite(b, text('ping'));
  const events = waitUntil(r, (all) => all.some((e) => e.context === 'a'));
  expect(events.filter((e) => e.context === 'a').map((e) => [e.type, str(e.buffer)])).toEqual([[EventType.READ, 'ping']]);
});

describe('where the kernel refuses io_uring', () => {
  const refuser = fileURLToPath(new URL('../../native/test/without_io_uring', import.meta.url));
  const index = fileURLToPath(new URL('../src/index.js', import.meta.url));
  // Asks for io_uring, then for the defaults, in a Node whose io_uring_setup the filter refuses.
  const program = `
    const { Reactor } = await import(${JSON.stringify(index)});
    const out = {};
    try { await Reactor.create({ model: 'completion', mechanism: 'io_uring' }); out.opened = true; }
    catch (e) { out.code = e.code; out.message = e.message; }
    const fallback = await Reactor.create({ model: 'completion' });
    out.defaultMechanism = fallback.stats().mechanism;
    fallback.destroy();
    console.log(JSON.stringify(out));`;

  test.each([
    ['ENOSYS', []],
    ['EPERM', ['--eperm']],
  ])(
    '(%s): asked for explicitly, it is a clear EINVAL that names io_uring and says what to do; by default the completion model falls back to epoll',
    (errno, flags) => {
      const stdout = execFileSync(refuser, [...flags, process.execPath, '--input-type=module', '-e', program], { encoding: 'utf8' });
      const out = JSON.parse(stdout);
      expect(out).toEqual({
        code: 'EINVAL',
        message: expect.stringContaining(`the OS refused io_uring (${errno})`),
        defaultMechanism: 'epoll',
      });
      expect(out.message).toMatch(/seccomp.*use mechanism 'epoll'/);
    },
  );
});
