import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MediaFileError } from '../src/playback/errors.js';
import { parseHlsPlaylist, pickHlsVariant } from '../src/playback/HlsPlaylist.js';

const base = new URL('http://media.example/live/stream.m3u8');

function notSupported(pattern: RegExp) {
  return (error: unknown) =>
    error instanceof MediaFileError &&
    error.code === 'NOT_SUPPORTED' &&
    pattern.test(error.message);
}

describe('HLS playlist parser', () => {
  test('a master playlist lists its variants, resolved against the playlist URL', () => {
    const playlist = parseHlsPlaylist(
      '#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=800000,RESOLUTION=640x360\nlow/index.m3u8\n' +
        '#EXT-X-STREAM-INF:AVERAGE-BANDWIDTH=1,BANDWIDTH=5000000\n/hi/index.m3u8\n',
      base,
    );
    assert.equal(playlist.kind, 'master');
    if (playlist.kind !== 'master') return;
    assert.deepEqual(
      playlist.variants.map((variant) => [variant.url.href, variant.bandwidth]),
      [
        ['http://media.example/live/low/index.m3u8', 800000],
        ['http://media.example/hi/index.m3u8', 5000000],
      ],
    );
    assert.equal(pickHlsVariant(playlist.variants, 3_000_000).bandwidth, 800000);
    assert.equal(pickHlsVariant(playlist.variants, 10_000_000).bandwidth, 5000000);
    assert.equal(pickHlsVariant(playlist.variants, 1000).bandwidth, 800000);
  });

  test('a VOD media playlist lists its segments in order and has ended', () => {
    const playlist = parseHlsPlaylist(
      '#EXTM3U\r\n#EXT-X-VERSION:3\r\n#EXT-X-TARGETDURATION:2\r\n#EXT-X-MEDIA-SEQUENCE:7\r\n' +
        '#EXTINF:2.0,\r\na0.ts\r\n#EXTINF:1.5,\r\nhttp://cdn.example/a1.ts\r\n#EXT-X-ENDLIST\r\n',
      base,
    );
    assert.deepEqual(playlist, {
      kind: 'media',
      targetDurationSeconds: 2,
      ended: true,
      segments: [
        { url: new URL('http://media.example/live/a0.ts'), sequence: 7, durationSeconds: 2 },
        { url: new URL('http://cdn.example/a1.ts'), sequence: 8, durationSeconds: 1.5 },
      ],
    });
  });

  test('a live media playlist has not ended and carries its target duration', () => {
    const playlist = parseHlsPlaylist(
      '#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXT-X-MEDIA-SEQUENCE:120\n#EXTINF:4,\ns120.ts\n',
      base,
    );
    assert.equal(playlist.kind, 'media');
    if (playlist.kind !== 'media') return;
    assert.equal(playlist.ended, false);
    assert.equal(playlist.targetDurationSeconds, 4);
    assert.equal(playlist.segments[0]?.sequence, 120);
  });

  test('refuses malformed, fMP4, encrypted and oversized playlists, saying what to do', () => {
    assert.throws(
      () => parseHlsPlaylist('<html>', base),
      notSupported(/does not start with #EXTM3U/),
    );
    assert.throws(
      () => parseHlsPlaylist('#EXTM3U\n#EXT-X-ENDLIST\n', base),
      notSupported(/lists no segments/),
    );
    assert.throws(
      () => parseHlsPlaylist('#EXTM3U\n#EXTINF:x,\na.ts\n', base),
      notSupported(/bad segment duration/),
    );
    assert.throws(
      () => parseHlsPlaylist('#EXTM3U\nstray.ts\n#EXT-X-ENDLIST\n', base),
      notSupported(/follows neither/),
    );
    assert.throws(
      () => parseHlsPlaylist('#EXTM3U\n#EXTINF:1,\na.ts\n', base),
      notSupported(/EXT-X-TARGETDURATION/),
    );
    assert.throws(
      () => parseHlsPlaylist('#EXTM3U\n#EXT-X-MAP:URI="init.mp4"\n#EXTINF:1,\na.m4s\n', base),
      notSupported(/EXT-X-MAP.*MPEG-TS/),
    );
    assert.throws(
      () =>
        parseHlsPlaylist('#EXTM3U\n#EXT-X-KEY:METHOD=AES-128,URI="k"\n#EXTINF:1,\na.ts\n', base),
      notSupported(/encrypted/),
    );
    assert.doesNotThrow(() =>
      parseHlsPlaylist('#EXTM3U\n#EXT-X-KEY:METHOD=NONE\n#EXTINF:1,\na.ts\n#EXT-X-ENDLIST\n', base),
    );
    const many = Array.from({ length: 10_001 }, (_, index) => `#EXTINF:1,\ns${index}.ts`).join(
      '\n',
    );
    assert.throws(
      () => parseHlsPlaylist(`#EXTM3U\n${many}\n#EXT-X-ENDLIST\n`, base),
      notSupported(/more than 10000 segments/),
    );
  });
});
