/**
 * Calls a page's callback so that what it throws is reported like any uncaught error (window
 * 'error' event, the console), instead of vanishing as an unhandled rejection of our promise.
 */
export function callUser<A extends unknown[]>(
  callback: ((...args: A) => unknown) | undefined,
  ...args: A
): void {
  if (!callback) return;
  try {
    callback(...args);
  } catch (error) {
    reportUncaught(error);
  }
}

export function reportUncaught(error: unknown): void {
  if (typeof globalThis.reportError === 'function') globalThis.reportError(error);
  else
    setTimeout(() => {
      throw error;
    });
}
