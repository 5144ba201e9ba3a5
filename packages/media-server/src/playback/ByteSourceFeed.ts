import type { ByteSource } from './ByteSource.js';
import type { GstByteFeed } from './GstFilePlayback.js';

/** Chunks small enough to keep the memory of one player low, large enough for few requests. */
const FEED_CHUNK_BYTES = 512 * 1024;

/**
 * A {@link GstByteFeed} over a ByteSource opened at each play (an http(s) resource read through
 * the host policy): one chunk is read when the stage took the previous one.
 */
export function byteSourceFeed(open: () => Promise<ByteSource>): GstByteFeed {
  return {
    async *chunks() {
      const source = await open();
      try {
        for (let offset = 0; offset < source.size; ) {
          const chunk = await source.read(offset, FEED_CHUNK_BYTES);
          if (chunk.length === 0) return;
          offset += chunk.length;
          yield chunk;
        }
      } finally {
        await source.close();
      }
    },
  };
}
