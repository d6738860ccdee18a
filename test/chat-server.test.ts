// The `npm start` chat server, driven as a user would: two telnet-style clients chat, one drops
// mid-line, Ctrl-C stops the server cleanly. In both models.
import { startServer, stop, Client } from './chat-process.js';

describe.each(['completion', 'readiness'])('chat server, %s model', (model) => {
  test('two clients chat, one drops mid-line, Ctrl-C stops the server cleanly', async () => {
    const s = await startServer(['--model', model]);
    try {
      const alice = await Client.named(s.port, 'alice');
      const bob = await Client.named(s.port, 'bob');
      await alice.expect(/\* bob joined/);
      alice.say('hello bob\r\n');
      await bob.expect(/\[alice\] hello bob/);
      bob.say('hi ali');
      bob.say('ce\r\nand bye, half a li');
      await alice.expect(/\[bob\] hi alice/);
      bob.socket.destroy();
      await alice.expect(/\* bob left/);
      expect(alice.received).not.toMatch(/half a li/);
      expect(s.log()).toMatch(/disconnect fd=\d+ bob: closed by client, 18 bytes of an unfinished line discarded/);

      expect(await stop(s)).toBe(0);
      await alice.expect(/shutting down/);
      expect(s.log()).toMatch(/relay alice: hello bob/);
      expect(s.log()).toMatch(/stopped/);
      alice.socket.destroy();
    } finally {
      s.server.kill('SIGKILL');
    }
  });
});
