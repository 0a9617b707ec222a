// Workspace Trust as the client reports it. Reading and parsing files is always allowed; anything that
// executes project code (loading a source module, ingesting) asks for trust first.

import { SluiceErrorCodes } from '../core/protocol';
import { RefusedError } from './rpc';

export class WorkspaceTrust {
  private listeners: ((trusted: boolean) => void)[] = [];

  /** Untrusted until the client says otherwise: a client that does not know about trust gets the safe side. */
  constructor(private trustedNow = false) {}

  get trusted(): boolean {
    return this.trustedNow;
  }

  set(trusted: boolean): void {
    if (trusted === this.trustedNow) return;
    this.trustedNow = trusted;
    for (const listener of this.listeners) listener(trusted);
  }

  onChange(listener: (trusted: boolean) => void): void {
    this.listeners.push(listener);
  }

  /** Throws a refusal naming what was refused when the workspace is not trusted. */
  require(what: string): void {
    if (!this.trustedNow) {
      throw new RefusedError(
        SluiceErrorCodes.Untrusted,
        `${what} runs code from this workspace, which is not trusted; trust the workspace to allow it`,
      );
    }
  }
}
