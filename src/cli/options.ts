/**
 * Options shared by the subcommands, and parsers for option values that fail
 * with one clear line naming the option (exit code 2).
 */
import { Option, type Command } from 'commander';
import { CliError } from './exit-codes.js';
import { parseDuration } from './duration.js';

/** `--jobs-dir`, `--state-dir` (with their environment variables) and `--json`. */
export function addCommonOptions(command: Command, { json = true }: { json?: boolean } = {}): Command {
  command
    .addOption(new Option('--jobs-dir <dir>', 'folder holding the job folders (default: ./jobs)').env('MCP_JOBS_DIR'))
    .addOption(new Option('--state-dir <dir>', 'folder holding the state files (default: ./state)').env('MCP_JOBS_STATE_DIR'));
  if (json) command.option('--json', 'machine-readable output (JSON on stdout)');
  return command;
}

/** `--config` and `--allow-command`: what decides the registered job types. */
export function addTypeOptions(command: Command): Command {
  return command
    .addOption(new Option('--config <file>', 'config file listing your own wrappers (default: ./mcp-jobs.config.json if present)').env('MCP_JOBS_CONFIG'))
    .option('--allow-command <program>', 'let `run_command` start this program (repeatable)', collect, [] as string[]);
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** An integer option value within bounds. */
export function intOption(name: string, min: number, max: number): (value: string) => number {
  return (value: string) => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isInteger(n) || n < min || n > max) {
      throw new CliError(`Expected \`${name}\` to be an integer from ${min} to ${max}, got \`${value}\``);
    }
    return n;
  };
}

/** Seconds (`90`, `1.5`) or a duration (`5m`, `1h30m`); 0 = none. Returns ms. */
export function secondsOption(name: string): (value: string) => number {
  return (value: string) => {
    const trimmed = value.trim();
    if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.ceil(Number(trimmed) * 1000); // up: 0.0004 s is 1 ms, never 0 (= none)
    if (/^\d/.test(trimmed)) return parseDuration(trimmed, name);
    throw new CliError(`Expected \`${name}\` to be seconds (e.g. 90) or a duration (e.g. 5m), got \`${value}\``);
  };
}

/** A duration option (`7d`, `12h`, `30m`). Returns ms. */
export function durationOption(name: string): (value: string) => number {
  return (value: string) => parseDuration(value, name);
}
