#!/usr/bin/env node
// `npx io-reactor <command> [...]`: each command is a module whose run(args) returns the exit code.
const commands: Record<string, () => Promise<{ run(args: string[]): Promise<number> }>> = {
  sim: () => import('./sim.js'),
};

const [name, ...args] = process.argv.slice(2);
const load = name === undefined ? undefined : commands[name];
if (!load) {
  process.stderr.write(`${name === undefined ? '' : `io-reactor: unknown command ${JSON.stringify(name)}\n`}usage: io-reactor <command> [options]\ncommands: ${Object.keys(commands).join(', ')} (e.g. io-reactor sim --help)\n`);
  process.exitCode = 2;
} else {
  process.exitCode = await (await load()).run(args);
}
