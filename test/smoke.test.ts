// The shortest path through the API in every model, mechanism and backend: accept, receive.
import { EventType } from '../src/index.js';
import { FULL_MATRIX, reactor, destroyAll, waitUntil, text, str } from './helpers.js';

afterEach(destroyAll);

describe.each(FULL_MATRIX)('%s over %s (%s)', (model, mechanism, backend) => {
  test('a connection is accepted and its bytes arrive', async () => {
    const r = await reactor<string>({ model, mechanism, backend });
    const { fd: listener, port } = r.os.listen(0);
    r.add(listener, 'listener', EventType.READ);
    const client = r.os.connect(port);
    const [accepted] = waitUntil(r, (all) => all.length > 0);
    expect(accepted.context).toBe('listener');
    const server = model === 'completion' ? accepted.acceptedFd! : r.os.accept(listener)!;
    expect(accepted.type).toBe(model === 'completion' ? EventType.ACCEPT : EventType.READ);
    r.add(server, 'conn', EventType.READ);
    r.os.send(client, text('hello'));
    const [read] = waitUntil(r, (all) => all.length > 0);
    expect(read.context).toBe('conn');
    expect(read.type & EventType.READ).toBeTruthy();
    expect(model === 'completion' ? str(read.buffer) : str(r.os.recv(server))).toBe('hello');
  });
});
