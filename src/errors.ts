/** Errors a user can act on: rendered as one line, never with a stack trace. */
export class DdlgateError extends Error {
  constructor(
    message: string,
    readonly exitCode: 1 | 2,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Bad usage, configuration or input (a malformed file, a bad URL): exit code 2, nothing applied. */
export class InputError extends DdlgateError {
  constructor(message: string) {
    super(message, 2);
  }
}

/** A failed operation (a migration that errors, a lock not obtained, a refused rollback): exit code 1. */
export class OperationError extends DdlgateError {
  constructor(message: string) {
    super(message, 1);
  }
}
