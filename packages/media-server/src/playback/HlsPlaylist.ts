import { MediaFileError } from './errors.js';

/** A variant of a master playlist. */
export interface HlsVariant {
  readonly url: URL;
  readonly bandwidth: number;
}

/** A segment of a media playlist, in playlist order. */
export interface HlsSegment {
  readonly url: URL;
  /** EXT-X-MEDIA-SEQUENCE + index: identifies it across re-polls of a live playlist. */
  readonly sequence: number;
  readonly durationSeconds: number;
}

export type HlsPlaylist =
  | { readonly kind: 'master'; readonly variants: readonly HlsVariant[] }
  | {
      readonly kind: 'media';
      readonly segments: readonly HlsSegment[];
      readonly targetDurationSeconds: number;
      /** EXT-X-ENDLIST: a VOD (or a finished live) playlist; otherwise re-poll it. */
      readonly ended: boolean;
    };

/** Most segments a media playlist may list (a bigger one is refused, not truncated). */
export const MAX_HLS_SEGMENTS = 10_000;

/**
 * Parses an HLS playlist (RFC 8216); URIs are resolved against `base`, the playlist's URL.
 * @throws MediaFileError NOT_SUPPORTED for a malformed playlist, fMP4 segments (EXT-X-MAP),
 *   encryption (EXT-X-KEY other than NONE) or more than MAX_HLS_SEGMENTS segments
 */
export function parseHlsPlaylist(text: string, base: URL): HlsPlaylist {
  const lines = text
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '');
  if (lines[0] !== '#EXTM3U') {
    throw new MediaFileError(
      'NOT_SUPPORTED',
      `${base.href} is not an HLS playlist (it does not start with #EXTM3U)`,
    );
  }
  const variants: HlsVariant[] = [];
  const segments: HlsSegment[] = [];
  let sequence = 0;
  let targetDuration = 0;
  let ended = false;
  let pendingBandwidth: number | undefined;
  let pendingDuration: number | undefined;
  for (const line of lines.slice(1)) {
    if (line.startsWith('#EXT-X-STREAM-INF:')) {
      pendingBandwidth = Number(/(?:^|[:,])BANDWIDTH=(\d+)/.exec(line)?.[1] ?? 0);
    } else if (line.startsWith('#EXTINF:')) {
      pendingDuration = Number.parseFloat(line.slice('#EXTINF:'.length));
      if (!Number.isFinite(pendingDuration) || pendingDuration < 0) {
        throw malformed(base, `bad segment duration in '${line.slice(0, 80)}'`);
      }
    } else if (line.startsWith('#EXT-X-TARGETDURATION:')) {
      targetDuration = Number(line.slice('#EXT-X-TARGETDURATION:'.length));
    } else if (line.startsWith('#EXT-X-MEDIA-SEQUENCE:')) {
      sequence = Number(line.slice('#EXT-X-MEDIA-SEQUENCE:'.length));
      if (!Number.isInteger(sequence)) throw malformed(base, 'bad EXT-X-MEDIA-SEQUENCE');
    } else if (line === '#EXT-X-ENDLIST') {
      ended = true;
    } else if (line.startsWith('#EXT-X-MAP')) {
      throw new MediaFileError(
        'NOT_SUPPORTED',
        `${base.href} has fragmented MP4 segments (EXT-X-MAP); only MPEG-TS segments are played: package the stream as MPEG-TS (ffmpeg -hls_segment_type mpegts)`,
      );
    } else if (line.startsWith('#EXT-X-KEY:') && !/METHOD=NONE(,|$)/.test(line)) {
      throw new MediaFileError(
        'NOT_SUPPORTED',
        `${base.href} is encrypted (EXT-X-KEY); encrypted HLS is not played: serve it unencrypted`,
      );
    } else if (!line.startsWith('#')) {
      const url = resolve(line, base);
      if (pendingBandwidth !== undefined) {
        variants.push({ url, bandwidth: pendingBandwidth });
        pendingBandwidth = undefined;
      } else if (pendingDuration !== undefined) {
        segments.push({
          url,
          sequence: sequence + segments.length,
          durationSeconds: pendingDuration,
        });
        pendingDuration = undefined;
        if (segments.length > MAX_HLS_SEGMENTS) {
          throw new MediaFileError(
            'NOT_SUPPORTED',
            `${base.href} lists more than ${MAX_HLS_SEGMENTS} segments; split it into shorter playlists`,
          );
        }
      } else {
        throw malformed(
          base,
          `'${line.slice(0, 80)}' follows neither #EXTINF nor #EXT-X-STREAM-INF`,
        );
      }
    }
  }
  if (variants.length > 0) return { kind: 'master', variants };
  if (segments.length === 0 && ended) throw malformed(base, 'it lists no segments');
  if (!ended && !(targetDuration > 0))
    throw malformed(base, 'a live playlist needs EXT-X-TARGETDURATION');
  return { kind: 'media', segments, targetDurationSeconds: targetDuration, ended };
}

/** The variant to play: the highest BANDWIDTH not over `maxBandwidth`, else the lowest. */
export function pickHlsVariant(variants: readonly HlsVariant[], maxBandwidth: number): HlsVariant {
  const sorted = [...variants].sort((a, b) => a.bandwidth - b.bandwidth);
  return (
    sorted.filter((variant) => variant.bandwidth <= maxBandwidth).at(-1) ??
    (sorted[0] as HlsVariant)
  );
}

function resolve(uri: string, base: URL): URL {
  try {
    return new URL(uri, base);
  } catch {
    throw malformed(base, `'${uri.slice(0, 80)}' is not a URI`);
  }
}

function malformed(base: URL, why: string): MediaFileError {
  return new MediaFileError('NOT_SUPPORTED', `${base.href} is a malformed HLS playlist: ${why}`);
}
