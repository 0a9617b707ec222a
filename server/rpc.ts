// Typed handlers and sends for the descriptors in core/protocol.ts, and the one place where errors thrown by
// a handler become JSON-RPC errors: user problems keep their one-line message, bugs are logged in full.

import { ResponseError, type CancellationToken, type Connection, type Disposable } from 'vscode-languageserver/node';
import { SluiceError } from '../core/errors';
import { SluiceErrorCodes, type NotificationDescriptor, type RequestDescriptor } from '../core/protocol';

/** A refusal with a specific code (untrusted workspace, busy source). */
export class RefusedError extends SluiceError {
  constructor(readonly code: number, message: string) {
    super(message);
    this.name = 'RefusedError';
  }
}

export function onRequest<P, R>(
  connection: Connection,
  descriptor: RequestDescriptor<P, R>,
  handler: (params: P, token: CancellationToken) => R | Promise<R>,
): Disposable {
  return connection.onRequest(descriptor.method, async (params: P, token: CancellationToken) => {
    try {
      return await handler(params ?? ({} as P), token);
    } catch (err) {
      throw toResponseError(connection, descriptor.method, err);
    }
  });
}

export function onNotification<P>(
  connection: Connection,
  descriptor: NotificationDescriptor<P>,
  handler: (params: P) => void | Promise<void>,
): Disposable {
  return connection.onNotification(descriptor.method, async (params: P) => {
    try {
      await handler(params ?? ({} as P));
    } catch (err) {
      connection.console.error(`${descriptor.method}: ${describe(err)}`);
    }
  });
}

export function sendNotification<P>(connection: Connection, descriptor: NotificationDescriptor<P>, params: P): void {
  void connection.sendNotification(descriptor.method, params).catch(() => undefined);
}

function toResponseError(connection: Connection, method: string, err: unknown): ResponseError<void> {
  if (err instanceof ResponseError) return err;
  if (err instanceof RefusedError) return new ResponseError(err.code, err.message);
  if (err instanceof SluiceError) return new ResponseError(SluiceErrorCodes.UserError, err.message);
  connection.console.error(`${method} failed: ${err instanceof Error && err.stack ? err.stack : describe(err)}`);
  return new ResponseError(-32603 /* InternalError */, `${method} failed: ${describe(err)}`);
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message.split('\n')[0] : String(err);
}
