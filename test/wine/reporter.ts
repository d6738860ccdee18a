// A node:test reporter for the Wine run: one JSON line per finished test, named "suite › test",
// which test/windows.test.ts turns into one jest test each.
interface TestEvent {
  type: string;
  data: { name: string; nesting: number; skip?: unknown; todo?: unknown; details?: { error?: { message?: string; cause?: unknown } } };
}

export default async function* reporter(source: AsyncIterable<TestEvent>): AsyncGenerator<string> {
  const path: string[] = [];
  for await (const { type, data } of source) {
    if (type === 'test:start') path[data.nesting] = data.name;
    if (type !== 'test:pass' && type !== 'test:fail') continue;
    const error = data.details?.error;
    yield JSON.stringify({
      name: data.nesting > 0 ? `${path[data.nesting - 1]} › ${data.name}` : data.name,
      passed: type === 'test:pass' && !data.skip && !data.todo,
      error: error ? String(error.cause ?? error.message) : undefined,
    }) + '\n';
  }
}
