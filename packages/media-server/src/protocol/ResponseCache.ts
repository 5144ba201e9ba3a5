import type { JsonRpcId, JsonRpcResponse } from './jsonRpc.js';

interface CachedResponse {
  readonly fingerprint: string;
  readonly response: Promise<JsonRpcResponse>;
  readonly storedAt: number;
}

/** KMS keeps answers for 20 s: long enough for a client that resends after a socket drop. */
const TIME_TO_LIVE_MS = 20_000;
const MAX_ENTRIES = 5_000;

/**
 * Answers of one session by request id, so that a request retried after a reconnection (same
 * session, same id) gets the first answer instead of running twice (creating two pipelines).
 * A request is a retry only if its method and params are also the same: a client that restarts
 * its id counter on a new socket must not get stale answers.
 */
export class ResponseCache {
  private readonly entries = new Map<string, CachedResponse>();

  lookup(
    id: JsonRpcId,
    fingerprint: string,
    now = Date.now(),
  ): Promise<JsonRpcResponse> | undefined {
    const entry = this.entries.get(JSON.stringify(id));
    if (!entry || entry.fingerprint !== fingerprint || now - entry.storedAt > TIME_TO_LIVE_MS) {
      return undefined;
    }
    return entry.response;
  }

  /** Stores a pending answer, so a retry that arrives while the first is running waits for it. */
  store(id: JsonRpcId, fingerprint: string, response: Promise<JsonRpcResponse>, now = Date.now()) {
    this.evictExpired(now);
    const key = JSON.stringify(id);
    this.entries.delete(key);
    this.entries.set(key, { fingerprint, response, storedAt: now });
    if (this.entries.size > MAX_ENTRIES) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
  }

  clear(): void {
    this.entries.clear();
  }

  private evictExpired(now: number): void {
    // Entries are in insertion order, so the expired ones are at the front.
    for (const [key, entry] of this.entries) {
      if (now - entry.storedAt <= TIME_TO_LIVE_MS) break;
      this.entries.delete(key);
    }
  }
}
