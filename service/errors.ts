/**
 * An error whose status, code and message are safe to show to the client.
 * Anything else that escapes a route becomes a generic 500.
 */
export class HttpError extends Error {
  override readonly name = "HttpError";

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: ReadonlyArray<{ field: string; problem: string }>,
    readonly headers?: Readonly<Record<string, string>>,
  ) {
    super(message);
  }
}

/** Raised by a store when a link code is already taken (the conditional put failed). */
export class CodeTakenError extends Error {
  override readonly name = "CodeTakenError";

  constructor(readonly code: string) {
    super(`link code ${code} is already taken`);
  }
}

/** Raised at startup when the service configuration is unusable. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

/**
 * The client closed the connection while its request body was still arriving.
 * Nothing can be answered; it is the client's doing, so it is logged at `info`.
 */
export class ClientAbortedError extends Error {
  override readonly name = "ClientAbortedError";

  constructor(readonly receivedBytes: number) {
    super(`client closed the connection after ${receivedBytes} body bytes`);
  }
}
