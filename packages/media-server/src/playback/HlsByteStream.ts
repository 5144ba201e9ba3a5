import { setTimeout as sleep } from 'node:timers/promises';
import { MediaFileError } from './errors.js';
import type { GstByteFeed } from './GstFilePlayback.js';
import {
  type HlsPlaylist,
  type HlsSegment,
  parseHlsPlaylist,
  pickHlsVariant,
} from './HlsPlaylist.js';
import { HttpByteSource } from './HttpByteSource.js';
import type { HttpHostPolicy } from './HttpHostPolicy.js';

/** A playlist is text: a bigger one is not a playlist worth reading. */
const MAX_PLAYLIST_BYTES = 1024 * 1024;
/** The variant of a master playlist played: the best not over this (the stage re-encodes it). */
const MAX_VARIANT_BANDWIDTH = 6_000_000;
const SEGMENT_CHUNK_BYTES = 512 * 1024;
/** A live playlist that stops growing for this many polls has ended. */
const MAX_STALE_POLLS = 6;

/** Whether a URL names an HLS playlist (by its path, as players and CDNs name them). */
export function isHlsUrl(url: URL): boolean {
  return /\.m3u8?$/i.test(url.pathname);
}

/**
 * The MPEG-TS of an HLS stream as one byte stream: the playlist is read and followed here (a
 * live one re-polled every target duration), and every playlist and segment is fetched through
 * the host policy, so a playlist cannot lead the server to an address it would refuse.
 */
export function hlsByteStream(url: URL, hosts: HttpHostPolicy): GstByteFeed {
  return {
    async *chunks() {
      let playlistUrl = url;
      let playlist = await readPlaylist(playlistUrl, hosts);
      if (playlist.kind === 'master') {
        playlistUrl = pickHlsVariant(playlist.variants, MAX_VARIANT_BANDWIDTH).url;
        playlist = await readPlaylist(playlistUrl, hosts);
        if (playlist.kind === 'master') {
          throw new MediaFileError(
            'NOT_SUPPORTED',
            `${playlistUrl.href} is a master playlist inside a master playlist`,
          );
        }
      }
      let next = Number.NEGATIVE_INFINITY;
      let stalePolls = 0;
      for (;;) {
        const fresh = playlist.segments.filter((segment) => segment.sequence >= next);
        for (const segment of fresh) {
          yield* segmentChunks(segment, hosts);
          next = segment.sequence + 1;
        }
        if (playlist.ended) return;
        stalePolls = fresh.length === 0 ? stalePolls + 1 : 0;
        if (stalePolls > MAX_STALE_POLLS) return;
        await sleep(playlist.targetDurationSeconds * 1000);
        const polled = await readPlaylist(playlistUrl, hosts);
        if (polled.kind === 'master') {
          throw new MediaFileError(
            'NOT_SUPPORTED',
            `${playlistUrl.href} turned into a master playlist`,
          );
        }
        playlist = polled;
      }
    },
  };
}

async function readPlaylist(url: URL, hosts: HttpHostPolicy): Promise<HlsPlaylist> {
  const source = await HttpByteSource.open(url, hosts);
  try {
    if (source.size > MAX_PLAYLIST_BYTES) {
      throw new MediaFileError(
        'NOT_SUPPORTED',
        `the HLS playlist ${url.href} is ${source.size} bytes; at most ${MAX_PLAYLIST_BYTES} are read: split it`,
      );
    }
    return parseHlsPlaylist((await source.read(0, source.size)).toString('utf8'), url);
  } finally {
    await source.close();
  }
}

async function* segmentChunks(segment: HlsSegment, hosts: HttpHostPolicy): AsyncGenerator<Buffer> {
  let source: HttpByteSource;
  try {
    source = await HttpByteSource.open(segment.url, hosts);
  } catch (error) {
    if (!(error instanceof MediaFileError)) throw error;
    throw new MediaFileError(error.code, `HLS segment ${segment.sequence}: ${error.message}`, {
      cause: error,
    });
  }
  try {
    for (let offset = 0; offset < source.size; ) {
      const chunk = await source.read(offset, SEGMENT_CHUNK_BYTES);
      if (chunk.length === 0) return;
      offset += chunk.length;
      yield chunk;
    }
  } finally {
    await source.close();
  }
}
