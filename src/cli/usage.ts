// What every command line of the package shares: --help prints the usage on stdout (exit 0); a bad
// flag or value prints one line saying what is wrong, then the usage, on stderr (exit 2).
import { parseArgs, type ParseArgsConfig } from 'node:util';

/** The exit codes of every command (the README's table). */
export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;
/** The work was done and passed, but a file it was asked to write could not be written. */
export const EXIT_UNWRITTEN = 3;

/** Thrown for bad command-line input: its message is the one line shown above the usage. */
export class UsageError extends Error {}

/**
 * node:util parseArgs, its errors as UsageError: Node's messages go on to advise `--` for
 * positionals starting with '-', which misleads for a mistyped flag, so only the first sentence stays.
 */
export function parseCommandLine<T extends ParseArgsConfig>(config: T): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (e) {
    throw new UsageError((e as Error).message.split(/\.\s/)[0].replace(/\.$/, ''));
  }
}

/** Prints `command: message` and the usage on stderr; returns the exit code for bad usage. */
export function refuseUsage(command: string, message: string, usage: string): number {
  process.stderr.write(`${command}: ${message}\n${usage}\n`);
  return EXIT_USAGE;
}
