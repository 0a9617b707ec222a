// Starts the Sluice language server (dist/server.js over node IPC) and gives the rest of the extension typed
// access to the custom messages of core/protocol.ts.
//
// vscode-languageclient is most of the extension's code; it is loaded when the server starts, after activation
// has returned, so opening a workspace is not slowed down by it.

import * as vscode from 'vscode';
import type { LanguageClient, LanguageClientOptions, ServerOptions } from 'vscode-languageclient/node';
import type { InitializationOptions, NotificationDescriptor, RequestDescriptor } from '../core/protocol';
import type { Output } from './output';
import { isTrusted } from './trust';

type Listener = (params: unknown) => void;

export class SluiceClient implements vscode.Disposable {
  private client?: LanguageClient;
  private started?: Promise<LanguageClient>;
  private readonly listeners = new Map<string, Set<Listener>>();

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly output: Output,
  ) {}

  /** Starts the server once; later calls return the same promise. */
  start(): Promise<LanguageClient> {
    this.started ??= this.create();
    return this.started;
  }

  async request<P, R>(descriptor: RequestDescriptor<P, R>, params: P, token?: vscode.CancellationToken): Promise<R> {
    const client = await this.start();
    return client.sendRequest<R>(descriptor.method, params, token);
  }

  async notify<P>(descriptor: NotificationDescriptor<P>, params: P): Promise<void> {
    const client = await this.start();
    await client.sendNotification(descriptor.method, params);
  }

  /**
   * Listens for a server notification. The connection keeps one handler per method, so one handler is
   * installed per method (when the client exists) and fans out to every listener.
   */
  onNotification<P>(descriptor: NotificationDescriptor<P>, listener: (params: P) => void): vscode.Disposable {
    let set = this.listeners.get(descriptor.method);
    if (!set) {
      set = new Set();
      this.listeners.set(descriptor.method, set);
      if (this.client) this.install(this.client, descriptor.method, set);
    }
    const entry = listener as Listener;
    set.add(entry);
    return new vscode.Disposable(() => set!.delete(entry));
  }

  async dispose(): Promise<void> {
    const client = await this.started?.catch(() => undefined);
    await client?.stop().catch(() => undefined);
  }

  private async create(): Promise<LanguageClient> {
    const { LanguageClient, TransportKind } = await import('vscode-languageclient/node');
    const module = this.context.asAbsolutePath('dist/server.js');
    const serverOptions: ServerOptions = {
      run: { module, transport: TransportKind.ipc },
      debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6019'] } },
    };
    const initializationOptions: InitializationOptions = { trusted: isTrusted() };
    const clientOptions: LanguageClientOptions = {
      // Model files are checked as they are typed; the server ignores .sql files outside a project's models/.
      // They open as sql (or another SQL extension's language) and are then switched to sluice-sql.
      // Source modules get CodeLens and the errors of their last load.
      documentSelector: [
        { scheme: 'file', language: 'sluice-sql', pattern: '**/models/**/*.sql' },
        { scheme: 'file', language: 'sql', pattern: '**/models/**/*.sql' },
        { scheme: 'file', language: 'typescript', pattern: '**/sources/*.ts' },
        { scheme: 'file', language: 'javascript', pattern: '**/sources/*.{js,mjs,cjs}' },
      ],
      outputChannel: this.output.channel,
      initializationOptions,
      // Files the server reads besides open editors: projects, models, what models read, source modules.
      synchronize: {
        fileEvents: [
          vscode.workspace.createFileSystemWatcher('**/{sluice.yaml,config.yaml,config.yml,config.py}'),
          vscode.workspace.createFileSystemWatcher('**/models/**/*.sql'),
          vscode.workspace.createFileSystemWatcher('**/schemas/*.schema.yaml'),
          vscode.workspace.createFileSystemWatcher('**/{external_models.yaml,schema.yaml,external_models/*.yaml,external_models/*.yml}'),
          vscode.workspace.createFileSystemWatcher('**/sources/*.{ts,js,mjs,cjs}'),
          vscode.workspace.createFileSystemWatcher('**/macros/**/*.{ts,js,mjs,cjs,py}'),
        ],
      },
    };
    const client = new LanguageClient('sluice', 'Sluice', serverOptions, clientOptions);
    this.client = client;
    for (const [method, set] of this.listeners) this.install(client, method, set);
    await client.start();
    return client;
  }

  private install(client: LanguageClient, method: string, set: Set<Listener>): void {
    client.onNotification(method, (params: unknown) => {
      for (const listener of [...set]) listener(params);
    });
  }
}
