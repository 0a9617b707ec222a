// A real HTTP endpoint in the test process standing in for Slack, PagerDuty and webhooks, and a way to run
// the built CLI without blocking the event loop (a synchronous spawn would keep the receiver from answering).
import { spawn } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { cliPath } from '../helpers/project';

export interface Received {
  path: string;
  body: any;
  at: number;
}

/** How the endpoint answers: 200, a status, or never (it holds the request open). */
export type Mode = 'ok' | number | 'hang';

export class Receiver {
  readonly received: Received[] = [];
  /** Mode per path; '*' for the rest. */
  modes: Record<string, Mode> = {};
  private server = http.createServer((req, res) => {
    let text = '';
    req.on('data', (chunk) => (text += chunk));
    req.on('end', () => {
      const path = req.url ?? '/';
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // kept as text
      }
      this.received.push({ path, body, at: Date.now() });
      const mode = this.modes[path] ?? this.modes['*'] ?? 'ok';
      if (mode === 'hang') return;
      res.writeHead(mode === 'ok' ? 200 : mode, { 'content-type': 'text/plain' });
      res.end(mode === 'ok' ? 'ok' : `failure ${mode} at ${path}`);
    });
  });

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return this;
  }

  url(path: string): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}${path}`;
  }

  on(path: string): Received[] {
    return this.received.filter((r) => r.path === path);
  }

  clear(): void {
    this.received.length = 0;
    this.modes = {};
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

export interface AsyncRun {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

export function runCliAsync(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<AsyncRun> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliPath, ...args], { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr, ms: Date.now() - started });
    });
  });
}
