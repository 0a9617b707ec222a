// A small LSP client for tests: spawns `node dist/server.js --stdio` and speaks JSON-RPC to it over the
// process's pipes, like an editor would. It answers the server's own requests (workspace/configuration,
// capability registration), records every notification, and lets tests wait for one that matches.

import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  CancellationTokenSource,
  createMessageConnection,
  StreamMessageReader,
  StreamMessageWriter,
  type MessageConnection,
} from 'vscode-jsonrpc/node';
import type { NotificationDescriptor, RequestDescriptor, SluiceSettings } from '../../core/protocol';

export const repoRoot = path.resolve(__dirname, '..', '..');
export const serverPath = path.join(repoRoot, 'dist', 'server.js');

export interface LspPosition {
  line: number;
  character: number;
}
export interface LspRange {
  start: LspPosition;
  end: LspPosition;
}
export interface LspDiagnostic {
  range: LspRange;
  message: string;
  severity?: number;
  source?: string;
  code?: string | number;
}
export interface Received {
  method: string;
  params: any;
}

export interface StartOptions {
  /** Workspace folders (absolute paths); none means a server without a workspace. */
  folders?: string[];
  /** Sent as initializationOptions.trusted; omitted when undefined. */
  trusted?: boolean;
  /** What the client answers to workspace/configuration for "sluice" (every folder gets the same). */
  settings?: Partial<SluiceSettings>;
  env?: NodeJS.ProcessEnv;
}

export function fileUri(file: string): string {
  return pathToFileURL(file).href;
}

export class LspTestClient {
  readonly notifications: Received[] = [];
  /** What the server wrote to stderr (shown when a wait times out). */
  stderr = '';
  settings: Partial<SluiceSettings>;
  initializeResult: any;
  private readonly waiters: { match: (n: Received) => boolean; resolve: (n: Received) => void }[] = [];
  private readonly versions = new Map<string, number>();
  private exited: Promise<number | null>;

  private constructor(
    private readonly proc: ChildProcessWithoutNullStreams,
    readonly connection: MessageConnection,
    options: StartOptions,
  ) {
    this.settings = options.settings ?? {};
    this.exited = new Promise((resolve) => proc.once('exit', (code) => resolve(code)));
    proc.stderr.on('data', (d) => (this.stderr += d));
    connection.onNotification((method: string, params: unknown) => this.received({ method, params }));
    connection.onRequest('workspace/configuration', (params: { items: { section?: string }[] }) =>
      params.items.map((item) => (item.section === 'sluice' ? this.settings : null)),
    );
    connection.onRequest('client/registerCapability', () => null);
    connection.onRequest('client/unregisterCapability', () => null);
    connection.onRequest('window/workDoneProgress/create', () => null);
    // Recorded like a notification, so tests can wait for the server asking for fresh CodeLens.
    connection.onRequest('workspace/codeLens/refresh', () => {
      this.received({ method: 'workspace/codeLens/refresh', params: null });
      return null;
    });
  }

  static async start(options: StartOptions = {}): Promise<LspTestClient> {
    if (!fs.existsSync(serverPath)) throw new Error(`${serverPath} is missing: run npm run build first`);
    const proc = spawn(process.execPath, [serverPath, '--stdio'], {
      cwd: repoRoot,
      env: { ...process.env, ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const connection = createMessageConnection(new StreamMessageReader(proc.stdout), new StreamMessageWriter(proc.stdin));
    const client = new LspTestClient(proc, connection, options);
    connection.listen();
    const folders = (options.folders ?? []).map((dir) => ({ uri: fileUri(dir), name: path.basename(dir) }));
    client.initializeResult = await connection.sendRequest('initialize', {
      processId: process.pid,
      rootUri: folders[0]?.uri ?? null,
      workspaceFolders: folders.length > 0 ? folders : null,
      capabilities: {
        workspace: {
          configuration: true,
          workspaceFolders: true,
          didChangeConfiguration: { dynamicRegistration: true },
          codeLens: { refreshSupport: true },
        },
        textDocument: { synchronization: { dynamicRegistration: false }, publishDiagnostics: { versionSupport: true } },
        window: { workDoneProgress: true },
      },
      initializationOptions: options.trusted === undefined ? undefined : { trusted: options.trusted },
    });
    await connection.sendNotification('initialized', {});
    return client;
  }

  request<P, R>(descriptor: RequestDescriptor<P, R>, params: P, token?: CancellationTokenSource): Promise<R> {
    return this.connection.sendRequest(descriptor.method, params, token?.token) as Promise<R>;
  }

  /** A standard LSP request (textDocument/hover, ...). */
  lsp<T = any>(method: string, params: unknown): Promise<T> {
    return this.connection.sendRequest(method, params) as Promise<T>;
  }

  /** The markdown of the hover at a position, or undefined when there is none. */
  async hoverText(uri: string, position: LspPosition): Promise<string | undefined> {
    const hover = await this.lsp<{ contents: { value: string } } | null>('textDocument/hover', { textDocument: { uri }, position });
    return hover?.contents.value;
  }

  notify<P>(descriptor: NotificationDescriptor<P>, params: P): Promise<void> {
    return this.connection.sendNotification(descriptor.method, params);
  }

  async open(file: string, text: string, languageId = 'sql'): Promise<string> {
    const uri = fileUri(file);
    this.versions.set(uri, 1);
    await this.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId, version: 1, text } });
    return uri;
  }

  /** Replaces the range with text (an incremental change, as VS Code sends them). */
  async edit(uri: string, range: LspRange, text: string): Promise<void> {
    const version = (this.versions.get(uri) ?? 0) + 1;
    this.versions.set(uri, version);
    await this.connection.sendNotification('textDocument/didChange', {
      textDocument: { uri, version },
      contentChanges: [{ range, text }],
    });
  }

  async close(uri: string): Promise<void> {
    await this.connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
  }

  /**
   * The first notification of `method` matching `match`, among those received from index `since` on
   * (see mark()) or arriving later.
   */
  waitFor(method: string, match: (params: any) => boolean = () => true, since = 0, timeoutMs = 15_000): Promise<Received> {
    const test = (n: Received) => n.method === method && match(n.params);
    const seen = this.notifications.slice(since).find(test);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const waiter = { match: test, resolve: (n: Received) => (clearTimeout(timer), resolve(n)) };
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        const got = this.notifications.filter((n) => n.method === method).map((n) => JSON.stringify(n.params));
        reject(new Error(`no matching ${method} within ${timeoutMs} ms; received:\n${got.join('\n')}\nserver stderr:\n${this.stderr}`));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  /** Diagnostics for uri published from notification index `since` on, the first set that matches. */
  async diagnostics(uri: string, match: (d: LspDiagnostic[]) => boolean, since = 0): Promise<LspDiagnostic[]> {
    const found = await this.waitFor('textDocument/publishDiagnostics', (p) => p.uri === uri && match(p.diagnostics), since);
    return found.params.diagnostics;
  }

  /** Number of notifications so far: pass to diagnostics() to ignore older ones. */
  mark(): number {
    return this.notifications.length;
  }

  /** Notifications of one method, in arrival order. */
  all(method: string): any[] {
    return this.notifications.filter((n) => n.method === method).map((n) => n.params);
  }

  async stop(): Promise<void> {
    try {
      await withTimeout(this.connection.sendRequest('shutdown'), 5_000);
      await this.connection.sendNotification('exit');
    } catch {
      // Already gone or stuck: killed below.
    }
    const code = await withTimeout(this.exited, 5_000).catch(() => {
      this.proc.kill('SIGKILL');
      return null;
    });
    this.connection.dispose();
    if (code !== 0 && code !== null) throw new Error(`server exited with code ${code}; stderr:\n${this.stderr}`);
  }

  private received(n: Received): void {
    this.notifications.push(n);
    for (const waiter of [...this.waiters]) {
      if (waiter.match(n)) {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        waiter.resolve(n);
      }
    }
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    promise.then(
      (v) => (clearTimeout(timer), resolve(v)),
      (e) => (clearTimeout(timer), reject(e)),
    );
  });
}

export { CancellationTokenSource };
