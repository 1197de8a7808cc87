/** Error classes by origin; each carries a stable `name` for logs and metrics. */

/** Base class of Tawasul's own errors. */
export class TawasulError extends Error {
  override name = 'TawasulError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** A channel provider answered and refused the call (4xx/5xx with an error body). */
export class ChannelApiError extends TawasulError {
  override name = 'ChannelApiError';
  constructor(
    message: string,
    readonly channel: string,
    readonly status: number | undefined,
    /** Provider error code (WhatsApp 130429, X 88...). */
    readonly code: string | number | undefined,
    /** True when retrying later may succeed (throttling, 5xx). */
    readonly retryable: boolean,
    /** Seconds the provider asked us to wait, when it said so. */
    readonly retryAfterSeconds?: number,
    options?: { cause?: unknown; credential?: boolean },
  ) {
    super(message, options);
    this.credential = options?.credential ?? false;
  }
  /** The provider refused our credentials (an expired token, a changed password): nothing is wrong with the message. */
  readonly credential: boolean;
}

/** The network failed before a provider answered (DNS, reset, timeout). Always retryable. */
export class NetworkError extends TawasulError {
  override name = 'NetworkError';
  readonly retryable = true;
  constructor(
    message: string,
    readonly channel: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A message handler threw while processing a message. */
export class HandlerError extends TawasulError {
  override name = 'HandlerError';
  constructor(
    message: string,
    readonly handler: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Configuration failed validation; names the file and the field. */
export class ConfigError extends TawasulError {
  override name = 'ConfigError';
  constructor(
    message: string,
    readonly file: string,
    readonly field: string,
  ) {
    super(message);
  }
}

/** Input from outside was refused (bad request body, oversized message); maps to HTTP 4xx. */
export class InputError extends TawasulError {
  override name = 'InputError';
  constructor(
    message: string,
    readonly status: number = 400,
    readonly reason: string = 'bad_request',
  ) {
    super(message);
  }
}

/** A store operation failed or conflicted. */
export class StoreError extends TawasulError {
  override name = 'StoreError';
}

/** Start-up refused by the environment (port in use, data directory held by another instance). */
export class StartupError extends TawasulError {
  override name = 'StartupError';
}
