/** The two ways lasting state can fail, each phrased with what the person should do next. */

/** The store cannot be used at start-up: a bad PGDBA_STORE_URL, or Redis refusing or not answering. */
export class StoreConfigurationError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreConfigurationError';
  }
}

/**
 * The shared store stopped answering while pgdba runs (Redis down, restarting, hung). The action
 * in progress was interrupted; the connection is retried in the background, so the same action
 * works again once the store is back.
 */
export class StoreUnavailableError extends Error {
  constructor(
    readonly where: string,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(
      `The shared state store ${where} is unavailable (${reason}), so this action was not completed. pgdba reconnects by itself: try again in a moment, and check Redis if this persists.`,
      options,
    );
    this.name = 'StoreUnavailableError';
  }
}
