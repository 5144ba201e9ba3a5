/**
 * How a signaling request ended, as one string to compare: `CODE: message` when it was refused,
 * `resolved` when it was not.
 */
export function rejection(promise: Promise<unknown>): Promise<string> {
  return promise.then(
    () => 'resolved',
    (error: { code: string; message: string }) => `${error.code}: ${error.message}`,
  );
}
