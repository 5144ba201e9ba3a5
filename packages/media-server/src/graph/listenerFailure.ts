/**
 * Runs `callback` and reports, instead of throwing, an exception from it. Used where media code
 * calls out from a timer or a network event: a failing listener there would otherwise be an
 * uncaught exception that ends the whole server, for a bug in one element.
 */
export function runGuarded(context: string, callback: () => void): void {
  try {
    callback();
  } catch (error) {
    reportListenerFailure(context, error);
  }
}

/** Wraps a listener so that its exceptions are reported instead of thrown (see runGuarded). */
export function guarded<Args extends unknown[]>(
  context: string,
  listener: (...args: Args) => void,
): (...args: Args) => void {
  return (...args) => {
    try {
      listener(...args);
    } catch (error) {
      reportListenerFailure(context, error);
    }
  };
}

function reportListenerFailure(context: string, error: unknown): void {
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
  process.emitWarning(`${context} failed: ${detail}`, 'MedleyListenerWarning');
}
