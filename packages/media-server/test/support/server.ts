import { createMediaServer, type MediaServer, type MediaServerOptions } from '../../src/index.js';
import { EventProbeType } from './EventProbe.js';

/** A server on a free loopback port, quiet unless MEDLEY_TEST_LOG_LEVEL says otherwise. */
export function startServer(options: MediaServerOptions = {}): Promise<MediaServer> {
  const logLevel = process.env.MEDLEY_TEST_LOG_LEVEL;
  return createMediaServer({
    port: 0,
    logLevel:
      logLevel === 'debug' || logLevel === 'info' || logLevel === 'warn' ? logLevel : 'error',
    elementTypes: [EventProbeType],
    ...options,
  });
}

export async function eventually<T>(
  probe: () => Promise<T | undefined> | T | undefined,
  what: string,
  timeoutMs = 5000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
