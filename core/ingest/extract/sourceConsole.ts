// The `console` a source module sees. Sources print with console.log as often as with ctx.log, so their
// console output is treated like ctx.log: it goes to the run's logger (stderr, never stdout, which
// --json keeps for its one object) and never shows a secret's value.

import { Console } from 'node:console';
import { Writable } from 'node:stream';
import type { Logger, SourceDef } from '../types';
import { maskSecrets } from './logger';

type Level = 'info' | 'warn';

/** Before a run attaches its logger (e.g. while the module's top level runs), output goes to stderr. */
const stderrLog: Logger = {
  info: (m) => void process.stderr.write(`${m}\n`),
  warn: (m) => void process.stderr.write(`${m}\n`),
  debug: (m) => void process.stderr.write(`${m}\n`),
};

export class SourceConsole {
  private log: Logger = stderrLog;
  private secrets: Record<string, string | undefined> = {};
  /** console.log/info/debug write to the logger's info, console.warn/error/trace to its warn. */
  readonly console: Console = new Console({ stdout: this.stream('info'), stderr: this.stream('warn') });

  /** Sends further output to the run's logger, masking the run's secrets. */
  attach(log: Logger, secrets: Record<string, string | undefined>): void {
    this.log = log;
    this.secrets = secrets;
  }

  private stream(level: Level): Writable {
    return new Writable({
      decodeStrings: false,
      write: (chunk: string | Buffer, _encoding, done) => {
        const text = maskSecrets(String(chunk), this.secrets).replace(/\n$/, '');
        this.log[level](text);
        done();
      },
    });
  }
}

const consoles = new WeakMap<object, SourceConsole>();

export function setSourceConsole(source: SourceDef, sourceConsole: SourceConsole): void {
  consoles.set(source, sourceConsole);
}

/** The console of a source loaded from a file; undefined for sources built in code. */
export function sourceConsoleOf(source: SourceDef): SourceConsole | undefined {
  return consoles.get(source);
}
