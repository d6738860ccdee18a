// The `npm start` chat server, driven as a user would: two telnet-style clients chat, one drops
// mid-line, Ctrl-C stops the server cleanly. In both models.
import { spawn, type ChildProcess } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { once } from 'node:events';

const SERVER = new URL('../examples/chat-server.js', import.meta.url).pathname;

function startServer(model: string): Promise<{ server: ChildProcess; port: number; log: () => string }> {
  const server = spawn(process.execPath, [SERVER, '--port', '0', '--model', model], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  server.stdout!.on('data', (d) => { log += d; });
  server.stderr!.on('data', (d) => { log += d; });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start: ${log}`)), 10000);
    server.stdout!.on('data', () => {
      const m = /telnet:\/\/127\.0\.0\.1:(\d+)/.exec(log);
      if (m) { clearTimeout(timer); resolve({ server, port: Number(m[1]), log: () => log }); }
    });
  });
}

class Client {
  received = '';
  readonly socket: Socket;
  constructor(port: number) {
    this.socket = connect(port, '127.0.0.1');
    this.socket.on('data', (d) => { this.received += d.toString(); });
  }
  async expect(pattern: RegExp, ms = 5000): Promise<void> {
    const end = Date.now() + ms;
    while (!pattern.test(this.received)) {
      if (Date.now() > end) throw new Error(`expected ${pattern}, got ${JSON.stringify(this.received)}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }
  say(line: string): void { this.socket.write(line); }
}

describe.each(['completion', 'readiness'])('chat server, %s model', (model) => {
  test('two clients chat, one drops mid-line, Ctrl-C stops the server cleanly', async () => {
    const { server, port, log } = await startServer(model);
    try {
      const alice = new Client(port);
      await alice.expect(/What is your name\?/);
      alice.say('alice\r\n');
      await alice.expect(/Hello, alice/);
      const bob = new Client(port);
      await bob.expect(/What is your name\?/);
      bob.say('bob\r\n');
      await alice.expect(/\* bob joined/);
      alice.say('hello bob\r\n');
      await bob.expect(/\[alice\] hello bob/);
      bob.say('hi ali');
      bob.say('ce\r\nand bye, half a li');
      await alice.expect(/\[bob\] hi alice/);
      bob.socket.destroy();
      await alice.expect(/\* bob left/);
      expect(alice.received).not.toMatch(/half a li/);
      expect(log()).toMatch(/disconnect fd=\d+ bob: closed by client, 18 bytes of an unfinished line discarded/);

      const [code] = await Promise.all([once(server, 'exit').then(([c]) => c), Promise.resolve(server.kill('SIGINT'))]);
      expect(code).toBe(0);
      await alice.expect(/shutting down/);
      expect(log()).toMatch(/relay alice: hello bob/);
      expect(log()).toMatch(/stopped/);
      alice.socket.destroy();
    } finally {
      server.kill('SIGKILL');
    }
  });
});
