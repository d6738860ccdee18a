#!/usr/bin/env node
// io-reactor's command line: `io-reactor <command> [args]`; each command is a module that exports
// its usage and run(args), which returns the exit code (usage.ts).
import { readFileSync } from 'node:fs';
import { EXIT_OK, refuseUsage } from './usage.js';

interface Command {
  usage: string;
  run(args: string[]): Promise<number>;
}

// Each loaded only when asked for; the sim command lives with the simulator (src/sim/cli/).
const commands: Record<string, { summary: string; load: () => Promise<Command> }> = {
  sim: {
    summary: 'sim <scenario|all> [--seeds N] [--shrink] ... run scenarios over many seeds in simulation',
    load: () => import('../sim/cli/sim.js'),
  },
  viz: {
    summary: 'viz <trace.json> [--port N]                 serve a recorded trace to the browser visualizer',
    load: () => import('./viz.js'),
  },
};

const USAGE = `usage: io-reactor <command> [args]
commands:
${Object.values(commands)
  .map((c) => `  ${c.summary}`)
  .join('\n')}
  help [command]                              print this, or a command's usage (also: <command> --help)
  --version                                   print the package's version
exit codes: 0 success, 1 the command ran and failed (a seed failed, a file could not be read), 2 bad usage,
            3 it ran and passed but could not write a file it was asked to (sim --trace)`;

function version(): string {
  const pkg = new URL('../../../../package.json', import.meta.url);
  return (JSON.parse(readFileSync(pkg, 'utf8')) as { version: string }).version;
}

async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined) return refuseUsage('io-reactor', 'name a command', USAGE);
  if (name === '--help' || name === '-h' || (name === 'help' && args.length === 0)) {
    process.stdout.write(`${USAGE}\n`);
    return EXIT_OK;
  }
  if (name === '--version' || name === '-v') {
    process.stdout.write(`${version()}\n`);
    return EXIT_OK;
  }
  if (name === 'help') {
    const command = commands[args[0]];
    if (!command || args.length > 1)
      return refuseUsage(
        'io-reactor help',
        `no command ${JSON.stringify(args.join(' '))}; the commands are ${Object.keys(commands).join(', ')}`,
        USAGE,
      );
    process.stdout.write(`${(await command.load()).usage}\n`);
    return EXIT_OK;
  }
  const command = commands[name];
  if (!command) {
    const what = name.startsWith('-') ? `unknown option ${JSON.stringify(name)}` : `unknown command ${JSON.stringify(name)}`;
    return refuseUsage('io-reactor', what, USAGE);
  }
  return (await command.load()).run(args);
}

process.exitCode = await main(process.argv.slice(2));
