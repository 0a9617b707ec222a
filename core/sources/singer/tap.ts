// Running a Singer tap: a child process (no shell) whose stdout is read line by line as the ingest asks
// for it. Reading stdout only when the consumer pulls is the backpressure: while the ingest is behind, the
// pipe fills up and the tap blocks on its next write, so memory stays bounded whatever the tap sends.

import { spawn } from 'node:child_process';
import path from 'node:path';
import { SluiceError } from '../../errors';
import type { Logger } from '../../ingest/types';

export interface Tap {
  /** The command and its arguments as configured; a program path with a slash is relative to cwd. */
  command: string[];
  /** The project directory. */
  cwd: string;
  /** Masks secret values in text that leaves the tap (stderr lines, errors). */
  mask: (text: string) => string;
  log: Logger;
  signal?: AbortSignal;
}

/** Lines of stdout read in one go, numbered from first (1-based). */
export interface LinePage {
  first: number;
  lines: string[];
}

const STDERR_TAIL_LINES = 10;
const STDERR_LINE_CHARS = 500;

/** The tap's stdout lines, a page per chunk read; throws when the tap cannot start or ends in failure. */
export async function* tapLines(tap: Tap, args: string[]): AsyncGenerator<LinePage> {
  const run = startTap(tap, args);
  try {
    let rest = '';
    let number = 1;
    for await (const chunk of run.child.stdout!) {
      const parts = (rest + (chunk as string)).split('\n');
      rest = parts.pop()!;
      if (parts.length === 0) continue;
      const page = { first: number, lines: parts };
      number += parts.length;
      yield page;
    }
    // A tap that died mid-line leaves half a message: its exit status is what explains it.
    await run.finished();
    if (rest.trim() !== '') yield { first: number, lines: [rest] };
  } finally {
    run.stop();
  }
}

/** The tap's whole stdout (for --discover), once it exited successfully. */
export async function tapOutput(tap: Tap, args: string[]): Promise<string> {
  const run = startTap(tap, args);
  try {
    let out = '';
    for await (const chunk of run.child.stdout!) out += chunk as string;
    await run.finished();
    return out;
  } finally {
    run.stop();
  }
}

/** How the tap is named in messages: its program and arguments, masked. */
export function describeTap(tap: Tap, args: string[] = []): string {
  return tap.mask([...tap.command, ...args].join(' '));
}

function startTap(tap: Tap, args: string[]) {
  const [program, ...rest] = tap.command;
  // A bare name is looked up on PATH; a path (./taps/tap-x, .venv/bin/tap-x) is relative to the project.
  const executable = program.includes('/') || program.includes(path.sep) ? path.resolve(tap.cwd, program) : program;
  const child = spawn(executable, [...rest, ...args], { cwd: tap.cwd, stdio: ['ignore', 'pipe', 'pipe'], shell: false });
  child.stdout.setEncoding('utf8');
  const stderr = new StderrTail(tap);
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (text: string) => stderr.add(text));
  let startError: Error | undefined;
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('error', (err) => {
      startError = err;
      resolve({ code: null, signal: null });
    });
    child.on('close', (code, signal) => resolve({ code, signal }));
  });
  const onAbort = () => child.kill('SIGTERM');
  tap.signal?.addEventListener('abort', onAbort, { once: true });
  const shown = describeTap(tap, args);
  return {
    child,
    /** Waits for the tap to exit; throws unless it exited with status 0. */
    async finished(): Promise<void> {
      const { code, signal } = await exit;
      stderr.flush();
      if (startError) {
        const missing = (startError as NodeJS.ErrnoException).code === 'ENOENT';
        throw new SluiceError(`cannot start the tap (${shown}): ${missing ? `${program} not found (is it installed, on PATH or relative to the project?)` : tap.mask(startError.message)}`);
      }
      if (code === 0) return;
      const how = signal ? `was killed by ${signal}` : `exited with status ${code}`;
      throw new SluiceError(`the tap (${shown}) ${how}${stderr.describe()}`);
    },
    /** Ends the tap if it still runs (the ingest stopped early or failed). */
    stop(): void {
      tap.signal?.removeEventListener('abort', onAbort);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    },
  };
}

/** The last lines the tap wrote to stderr (for errors); every line goes to the debug log, masked. */
class StderrTail {
  private readonly lines: string[] = [];
  private partial = '';

  constructor(private readonly tap: Tap) {}

  add(text: string): void {
    const parts = (this.partial + text).split('\n');
    this.partial = parts.pop()!;
    for (const line of parts) this.push(line);
    // A line that never ends must not grow without bound.
    if (this.partial.length > 64 * 1024) this.partial = this.partial.slice(-STDERR_LINE_CHARS);
  }

  flush(): void {
    if (this.partial) this.push(this.partial);
    this.partial = '';
  }

  describe(): string {
    if (this.lines.length === 0) return ' and wrote nothing to stderr';
    // One line, like every Sluice error: the tail's lines are separated by " | ".
    return `; the end of its stderr: ${this.lines.join(' | ')}`;
  }

  private push(raw: string): void {
    const line = this.tap.mask(raw.replace(/\r$/, ''));
    if (line.trim() === '') return;
    this.tap.log.debug(`tap: ${line}`);
    this.lines.push(line.length > STDERR_LINE_CHARS ? `${line.slice(0, STDERR_LINE_CHARS)}…` : line);
    if (this.lines.length > STDERR_TAIL_LINES) this.lines.shift();
  }
}
