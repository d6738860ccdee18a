#!/usr/bin/env node
// io-reactor's command line: `io-reactor <command> [args]`; each command is a module whose
// run(args) returns the exit code.
const commands: Record<string, () => Promise<{ run(args: string[]): Promise<number> }>> = {
  // The sim command lives with the simulator (src/sim/cli/), loaded only when asked for.
  sim: () => import('../sim/cli/sim.js'),
  viz: () => import('./viz.js'),
};

const USAGE = `usage: io-reactor <command> [args]
commands:
  sim <scenario> [--seeds N] [--shrink] ...   run a scenario over many seeds in simulation (io-reactor sim --help)
  viz <trace.json> [--port N]                 serve a recorded trace to the browser visualizer and print its URL`;

const [name, ...args] = process.argv.slice(2);
const load = name === undefined ? undefined : commands[name];
if (!load) {
  console.error(name === undefined ? USAGE : `io-reactor: unknown command "${name}"\n${USAGE}`);
  process.exitCode = 2;
} else {
  process.exitCode = await (await load()).run(args);
}
