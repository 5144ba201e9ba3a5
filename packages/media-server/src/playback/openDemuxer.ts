import type { ByteSource } from './ByteSource.js';
import type { Demuxer } from './DemuxedMedia.js';
import { MediaFileError } from './errors.js';
import { Mp4Demuxer } from './mp4/Mp4Demuxer.js';
import { WebmDemuxer } from './webm/WebmDemuxer.js';

const EBML_MAGIC = Buffer.from([0x1a, 0x45, 0xdf, 0xa3]);

/** Opens the demuxer for the container the data starts with (WebM/Matroska, MP4). */
export async function openDemuxer(source: ByteSource): Promise<Demuxer> {
  try {
    const start = await source.read(0, 12);
    if (start.subarray(0, 4).equals(EBML_MAGIC)) return await WebmDemuxer.open(source);
    if (start.toString('latin1', 4, 8) === 'ftyp') return await Mp4Demuxer.open(source);
    throw new MediaFileError('NOT_SUPPORTED', 'the file is neither WebM/Matroska nor MP4');
  } catch (error) {
    await source.close().catch(() => undefined);
    if (error instanceof MediaFileError) throw error;
    // A parser reading past the end of a malformed structure.
    throw new MediaFileError('NOT_SUPPORTED', `the file is malformed (${String(error)})`, {
      cause: error,
    });
  }
}
