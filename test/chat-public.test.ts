// The chat server as a public service: what a stranger's client may send or do, and what the
// server does about it. Each test states one promise of examples/chat-server.ts.
import { startServer, stop, until, Client, type ChatServer } from './chat-process.js';
import { readdirSync } from 'node:fs';

let s: ChatServer;
afterEach(async () => {
  s.server.kill('SIGKILL');
});

test('terminal escapes and control characters are neither relayed nor logged', async () => {
  s = await startServer([]);
  const alice = await Client.named(s.port, 'alice');
  const mallory = await Client.named(s.port, 'mallory');
  // Colour, an OSC window title, cursor moves, a clear screen, a bell, a C1 CSI, a bidi override, a
  // backspace, a Unicode line separator.
  mallory.say('hi \x1b[31mred\x1b[0m\x1b]0;pwned\x07 \x1b[2J\x1b[H\x07bell\u009b31m \u202eevil\x08\t\u2028tab\r\n');
  await alice.expect(/\[mallory\] .*\r\n/);
  const relayed = /\[mallory\] (.*)\r\n/.exec(alice.received)![1];
  expect(relayed).toBe('hi red bell31m evil tab');
  // biome-ignore lint/suspicious/noControlCharactersInRegex: no control character may reach a client
  expect(alice.received).not.toMatch(/[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/);
  expect(s.log()).toMatch(/relay mallory: hi red bell31m evil tab\n/);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: nor the log
  expect(s.log()).not.toMatch(/[\x00-\x09\x0b-\x1f\x7f\x80-\x9f\u202e\u2028]/);
});

test('/quit works before a name is set', async () => {
  s = await startServer([]);
  const c = new Client(s.port);
  await c.expect(/What is your name\?/);
  c.say('/quit\r\n');
  await c.expectEnd();
  await s.logged(/disconnect fd=\d+ \(unnamed\): quit/);
});

test('garbage instead of a name is answered a few times, then the client is let go', async () => {
  s = await startServer([]);
  const c = new Client(s.port);
  await c.expect(/What is your name\?/);
  c.say('!!!\r\n'.repeat(1000));
  await c.expectEnd();
  expect(c.received.match(/Your name\?/g)).toHaveLength(5);
  expect(c.received).toMatch(/No valid name after 5 tries\. Goodbye\./);
  await s.logged(/disconnect fd=\d+ \(unnamed\): no valid name after 5 tries/);
});

test('past --max-users a newcomer is told the server is full and closed; a freed place is taken again', async () => {
  s = await startServer(['--max-users', '2']);
  const alice = await Client.named(s.port, 'alice');
  const bob = new Client(s.port);
  await bob.expect(/What is your name\?/);
  const carol = new Client(s.port);
  await carol.expectEnd();
  expect(carol.received).toMatch(/The server is full \(2 users\)\. Try again later\./);
  await s.logged(/refused fd=\d+: server full \(--max-users 2\)/);
  bob.socket.destroy();
  await s.logged(/disconnect fd=\d+ \(unnamed\): closed by client/);
  const dave = await Client.named(s.port, 'dave');
  await alice.expect(/\* dave joined/);
  expect(await stop(s)).toBe(0);
  dave.socket.destroy();
  alice.socket.destroy();
});

test('a client that gives no name within --name-timeout-ms is told so and let go, and its place is free again', async () => {
  s = await startServer(['--name-timeout-ms', '300', '--max-users', '1']);
  const connected = Date.now();
  const mute = new Client(s.port);
  await mute.expect(/What is your name\?/);
  await mute.expectEnd();
  expect(Date.now() - connected).toBeGreaterThanOrEqual(300);
  expect(mute.received).toMatch(/What is your name\? \r\nNo name after 0\.3 s\. Goodbye\.\r\n$/);
  await s.logged(/disconnect fd=\d+ \(unnamed\): no name within 300 ms of connecting \(--name-timeout-ms\)/);
  // The only place (--max-users 1) is free again, and a name given stops that clock.
  const dave = await Client.named(s.port, 'dave');
  await new Promise((resolve) => setTimeout(resolve, 600));
  expect(dave.ended).toBe(false);
  dave.socket.destroy();
});

test('with --idle-timeout-ms, a named client silent that long is told so and let go; one that talks stays', async () => {
  s = await startServer(['--idle-timeout-ms', '1000']);
  const bob = await Client.named(s.port, 'bob');
  const beforeName = Date.now();
  const alice = await Client.named(s.port, 'alice');
  // Often enough that a line is relayed between alice's goodbye and her close, which must not reach her.
  const chatter = setInterval(() => bob.say('still here\r\n'), 10);
  try {
    await alice.expectEnd();
  } finally {
    clearInterval(chatter);
  }
  expect(Date.now() - beforeName).toBeGreaterThanOrEqual(1000);
  expect(alice.received).toMatch(/Nothing from you for 1 s; disconnecting\. Goodbye\.\r\n$/);
  await bob.expect(/\* alice left\./);
  expect(bob.ended).toBe(false);
  await s.logged(/disconnect fd=\d+ alice: silent for 1000 ms \(--idle-timeout-ms\)/);
  bob.socket.destroy();
});

test('--name-timeout-ms and --idle-timeout-ms take whole ms up to a day; anything else is refused with exit 2', async () => {
  s = await startServer([]);
  await stop(s);
  const { spawnSync } = await import('node:child_process');
  const refusal = (flag: string, value: string) =>
    spawnSync(process.execPath, [new URL('../examples/chat-server.js', import.meta.url).pathname, '--port', '0', flag, value], {
      encoding: 'utf8',
    });
  const noName = refusal('--name-timeout-ms', '0');
  expect(noName.status).toBe(2);
  expect(noName.stderr).toMatch(/--name-timeout-ms must be a whole number of ms from 1 to 86400000, got "0"/);
  const idle = refusal('--idle-timeout-ms', '1.5');
  expect(idle.status).toBe(2);
  expect(idle.stderr).toMatch(/--idle-timeout-ms must be a whole number of ms from 0 to 86400000, got "1\.5"/);
});

test('--max-users that is not a positive whole number is refused with exit 2', async () => {
  s = await startServer([]);
  await stop(s);
  const { spawnSync } = await import('node:child_process');
  const r = spawnSync(
    process.execPath,
    [new URL('../examples/chat-server.js', import.meta.url).pathname, '--port', '0', '--max-users', '0'],
    { encoding: 'utf8' },
  );
  expect(r.status).toBe(2);
  expect(r.stderr).toMatch(/--max-users must be a whole number of at least 1, got "0"/);
});

describe.each(['completion', 'readiness'])('%s model', (model) => {
  test('out of fds (EMFILE on accept), the server logs it, keeps its users, and accepts again when fds come back', async () => {
    // A low fd limit for the server alone: the extra connections wait in the kernel's backlog.
    s = await startServer(['--model', model], 'ulimit -n 64');
    const alice = await Client.named(s.port, 'alice');
    const spare = 64 - readdirSync(`/proc/${s.server.pid}/fd`).length;
    const crowd = Array.from({ length: spare + 10 }, () => new Client(s.port));
    await s.logged(/accept failed: EMFILE/);
    await until(
      () => crowd.filter((c) => /name\?/.test(c.received)).length >= spare - 2,
      10_000,
      () => 'the crowd to fill the fds',
    );
    alice.say('/who\r\n');
    await alice.expect(/Online: alice\r\n/);
    for (const c of crowd.slice(0, 20)) c.socket.destroy();
    await until(
      () => crowd.slice(20).every((c) => /name\?/.test(c.received)),
      10_000,
      () => 'the waiting connections to be accepted',
    );
    await s.logged(/accepting again after \d+ failed accepts/);
    for (const c of crowd) c.socket.destroy();
    expect(await stop(s)).toBe(0);
    alice.socket.destroy();
  });
});
