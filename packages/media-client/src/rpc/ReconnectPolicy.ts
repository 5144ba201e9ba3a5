/** What a {@link ReconnectPolicy} is told before each attempt. */
export interface ReconnectContext {
  /** 0 for the first attempt after the connection dropped. */
  attempt: number;
  /** Milliseconds since the connection dropped. */
  elapsedMs: number;
}

/** Decides when to try reopening a dropped connection, and when to give up. */
export interface ReconnectPolicy {
  /** Milliseconds to wait before the next attempt, or `null` to stop retrying. */
  nextRetryDelay(context: ReconnectContext): number | null;
}

/**
 * Retries quickly at first (a server restart or a proxy blip usually heals within a second), then
 * every few seconds, and gives up after `maxElapsedMs`: the media server releases the objects of a
 * session that stays away longer than its grace period anyway.
 */
export class DefaultReconnectPolicy implements ReconnectPolicy {
  constructor(
    private readonly schedule: readonly number[] = [0, 250, 500, 1000, 2000, 4000],
    private readonly maxElapsedMs = 60_000,
    private readonly steadyDelayMs = 5000,
  ) {}

  nextRetryDelay({ attempt, elapsedMs }: ReconnectContext): number | null {
    if (elapsedMs >= this.maxElapsedMs) return null;
    return this.schedule[attempt] ?? this.steadyDelayMs;
  }
}

/** Never reconnects: a dropped connection closes the client. */
export const noReconnect: ReconnectPolicy = { nextRetryDelay: () => null };
