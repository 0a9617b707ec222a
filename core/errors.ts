// Errors a user is meant to read. The CLI prints their message on one line, never a stack trace.

export class SluiceError extends Error {
  constructor(message: string, readonly hint?: string) {
    super(message);
    this.name = 'SluiceError';
  }
}

/** A schema contract said no (freeze), or data could not be normalized. */
export class ContractViolation extends SluiceError {
  constructor(
    readonly resource: string,
    readonly fieldPath: string,
    readonly value: unknown,
    message: string,
  ) {
    super(message);
    this.name = 'ContractViolation';
  }
}

/** Turns anything thrown into one readable line, whatever was thrown. */
export function describeError(err: unknown): string {
  let text: string;
  try {
    text = err instanceof Error ? err.message || err.name : typeof err === 'string' ? err : JSON.stringify(err) ?? String(err);
  } catch {
    text = Object.prototype.toString.call(err);
  }
  return text.split('\n')[0].trim() || 'unknown error';
}
