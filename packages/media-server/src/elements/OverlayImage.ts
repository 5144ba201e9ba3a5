import { InvalidParamError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { MediaSettings } from '../objects/ServerContext.js';
import { HttpByteSource } from '../playback/HttpByteSource.js';
import { openInsideRootForReading } from './MediaRootFile.js';
import { resolveUri } from './UriEndpointLocation.js';

/** Largest overlay image file read: a picture, not a video. */
export const MAX_OVERLAY_IMAGE_BYTES = 8 * 1024 * 1024;

type OverlayPurpose =
  | 'FaceOverlayFilter'
  | 'ImageOverlayFilter'
  | 'ChromaFilter'
  | 'PointerDetectorFilter';

/**
 * Reads the bytes of an overlay image named by a Kurento URI: a file inside the media root
 * (checked on the opened descriptor, as the player does) or, when the server allows HTTP
 * playback, an http(s) resource from an allowed host. The GStreamer stage gets the bytes,
 * never a path, so it opens nothing itself.
 * @throws InvalidParamError naming the URI as given when it is refused, missing or too large
 */
export async function readOverlayImage(
  uri: string,
  media: MediaSettings,
  purpose: OverlayPurpose,
  logger: Logger,
): Promise<Buffer> {
  const location = resolveUri(uri, media, purpose, logger);
  try {
    if (location.kind !== 'file') {
      const source = await HttpByteSource.open(location.url, media.httpHosts);
      try {
        checkSize(uri, source.size, purpose);
        return await source.read(0, source.size);
      } finally {
        await source.close();
      }
    }
    const handle = await openInsideRootForReading(location.path, media.root);
    try {
      const stats = await handle.stat();
      if (!stats.isFile()) throw new InvalidParamError(`${purpose} uri '${uri}' is not a file`);
      checkSize(uri, stats.size, purpose);
      return await handle.readFile();
    } finally {
      await handle.close();
    }
  } catch (error) {
    if (error instanceof InvalidParamError) throw error;
    const code = (error as { code?: string }).code;
    logger.debug('overlay image unreadable', { uri, error });
    throw new InvalidParamError(
      code === 'ENOENT'
        ? `${purpose} uri '${uri}': no such image; put the image in the media root (or give an allowed http(s) URL)`
        : `${purpose} uri '${uri}' cannot be read (${code ?? (error as Error).message})`,
    );
  }
}

function checkSize(uri: string, size: number, purpose: OverlayPurpose): void {
  if (size === 0) throw new InvalidParamError(`${purpose} uri '${uri}' is an empty file`);
  if (size > MAX_OVERLAY_IMAGE_BYTES) {
    throw new InvalidParamError(
      `${purpose} uri '${uri}' is ${size} bytes; overlay images take at most ${MAX_OVERLAY_IMAGE_BYTES}`,
    );
  }
}
