/** A message for a person: the error's own message, never a stack or an object dump. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
