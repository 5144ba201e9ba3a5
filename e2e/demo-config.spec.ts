import { startDemoAppServerProcess } from './support/childServer.js';
import { expect, test } from './support/test.js';

/**
 * The demo app server refuses a configuration it cannot use, at start, with a message that says
 * what to set — it never starts half-configured.
 */
for (const { env, says } of [
  {
    env: {
      MEDIA_SERVER_URL: 'ws://127.0.0.1:1/kurento',
      MEDIA_SERVER_URLS: 'ws://127.0.0.1:2/kurento',
    },
    says: 'Set MEDIA_SERVER_URL (one media server) or MEDIA_SERVER_URLS (several), not both.',
  },
  {
    env: { MEDIA_SERVER_URLS: 'ws://127.0.0.1:1/kurento,http://127.0.0.1:2/kurento' },
    says: 'Media server URLs are ws:// or wss:// URLs (e.g. ws://127.0.0.1:8888/kurento), got \\"http://127.0.0.1:2/kurento\\".',
  },
  {
    env: { MEDIA_SERVER_URLS: 'ws://127.0.0.1:1/kurento,ws://127.0.0.1:2/kurento' },
    says: 'Cannot reach the media servers at ws://127.0.0.1:1/kurento, ws://127.0.0.1:2/kurento',
  },
  {
    env: { REDIS_URL: 'localhost:6379' },
    says: 'REDIS_URL must be a redis:// or rediss:// URL',
  },
  {
    env: { ONE2MANY_VIEWERS_PER_SERVER: '0' },
    says: 'ONE2MANY_VIEWERS_PER_SERVER must be a whole number of viewers > 0',
  },
]) {
  test(`refuses to start with ${JSON.stringify(env)}`, async () => {
    await expect(startDemoAppServerProcess(env)).rejects.toThrow(says);
  });
}
