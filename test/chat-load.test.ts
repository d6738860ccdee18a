// The chat server under load from C clients on loopback (test/c/chat_clients.c): a burst of
// connects, a crowd chatting, and clients that do not read. It stays up through all of it and
// says in its log what it did. In both models.
import { startServer, stop, Client, cClients, until, type ChatServer } from './chat-process.js';
import { jest } from '@jest/globals';

// A thousand connections and a crowd of 300 on a shared 2-core machine.
jest.setTimeout(120_000);
const BURST = 1000;
const CROWD = 300;
const CROWD_LINES = 3;

let s: ChatServer;
afterEach(() => {
  s.server.kill('SIGKILL');
});

describe.each(['completion', 'readiness'])('%s model', (model) => {
  test(`a burst of ${BURST} simultaneous connects: every one is served, and the server stays up`, async () => {
    s = await startServer(['--model', model]);
    const burst = await cClients(s.port, ['burst', String(BURST)]);
    expect(burst).toMatchObject({ conns: BURST, served: BURST, failed: 0 });
    // The server's log reaches this process through a pipe read on its own schedule: the clients
    // can finish before the last lines are read, so wait for them (a missing line still fails).
    const connects = () => s.log().match(/connect fd=\d+ \(\d+ online\)/g) ?? [];
    await until(
      () => connects().length >= BURST,
      10_000,
      () => `${BURST} connect lines, seeing ${connects().length}`,
    );
    expect(connects()).toHaveLength(BURST);
    const alice = await Client.named(s.port, 'alice');
    expect(await stop(s)).toBe(0);
    alice.socket.destroy();
  });

  test(`${CROWD} users chatting: each hears every line of every other`, async () => {
    s = await startServer(['--model', model]);
    const crowd = await cClients(s.port, ['chat', String(CROWD), String(CROWD_LINES)]);
    expect(crowd).toMatchObject({ served: CROWD, failed: 0, heard: CROWD * (CROWD - 1) * CROWD_LINES });
    expect(await stop(s)).toBe(0);
  });

  test('a client that never reads is dropped as too slow, with the reason logged, and the others go on', async () => {
    s = await startServer(['--model', model]);
    const stopDeaf = new AbortController();
    const deaf = cClients(s.port, ['deaf', 'deaf'], stopDeaf.signal);
    await s.logged(/fd=\d+ is deaf/);
    const talker = await Client.named(s.port, 'talker');
    const other = await Client.named(s.port, 'other');
    // Lines of 1000 bytes until the server gives up on the deaf client (past its kernel buffers).
    const line = `${'x'.repeat(998)}\r\n`;
    const dropped = /disconnect fd=\d+ deaf: too slow to keep up: \d+ bytes waiting for it, the limit is 262144/;
    const end = Date.now() + 60_000;
    while (!dropped.test(s.log()) && Date.now() < end) {
      if (talker.socket.writableLength < 1 << 20) talker.say(line.repeat(64));
      await new Promise((r) => setTimeout(r, 1));
    }
    expect(s.log()).toMatch(dropped);
    stopDeaf.abort();
    expect(await deaf).toMatchObject({ joined: true });
    await other.expect(/\* deaf left/, 20_000);
    talker.say('/who\r\n');
    await talker.expect(/Online: talker, other\r\n/, 20_000);
    expect(await stop(s)).toBe(0);
    talker.socket.destroy();
    other.socket.destroy();
  });

  test('a client that sends without reading is dropped once its replies pass the limit', async () => {
    s = await startServer(['--model', model]);
    const flood = await cClients(s.port, ['deaf', 'flood', '/who\r\n']);
    expect(flood).toMatchObject({ closedByServer: true });
    await s.logged(/disconnect fd=\d+ flood: too slow to keep up: \d+ bytes waiting for it, the limit is 262144/);
    const alice = await Client.named(s.port, 'alice');
    expect(await stop(s)).toBe(0);
    alice.socket.destroy();
  });
});
