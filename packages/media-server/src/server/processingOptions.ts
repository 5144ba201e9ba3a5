import { existsSync } from 'node:fs';
import { ConfigurationError } from '../errors.js';
import { DEFAULT_FILTER_ELEMENTS } from '../processing/filterAllowList.js';
import type { ProcessingSettings, TranscodingMode } from '../processing/ProcessingPlane.js';

/**
 * The processing plane's options (`processing` of {@link MediaServerOptions}): automatic
 * transcoding, what GStreamerFilter commands may use, and the interpreter of GStreamer stages.
 */
export interface ProcessingOptions {
  /**
   * `auto` (default): a link whose sink negotiated none of its source's codecs gets a
   * transcoder (Kurento's behaviour), logged at info level with the reason. `never`: such a
   * link is refused at connect time when both codecs are known, and reported as an `Error`
   * event when found out later; nothing is transcoded. Transcoding costs CPU (a 640x480 VP8 to
   * H.264 stream takes a sizeable share of a core, see BENCHMARKS.md): use `never` where that
   * must not happen by surprise.
   */
  readonly transcoding?: TranscodingMode;
  /**
   * More GStreamer element factories GStreamerFilter commands may use, besides the default
   * allow-list (filters of raw audio and video only; see the README). Each one widens what a
   * client can make the server do: never add elements that read or write files, open sockets
   * or run programs.
   */
  readonly allowFilterElements?: readonly string[];
  /**
   * The Python 3 interpreter that runs GStreamer stages (needs PyGObject and GStreamer's
   * introspection data: Debian's python3-gst-1.0). Default `/usr/bin/python3` where it exists
   * (a pyenv or venv python3 first on the PATH usually lacks them), else `python3`.
   */
  readonly python?: string;
}

const FACTORY_NAME = /^[a-z0-9][a-z0-9_-]*$/;

export function isTranscodingMode(value: string): value is TranscodingMode {
  return value === 'auto' || value === 'never';
}

export function resolveProcessing(options: ProcessingOptions = {}): ProcessingSettings {
  const transcoding = options.transcoding ?? 'auto';
  if (!isTranscodingMode(transcoding)) {
    throw new ConfigurationError(
      `transcoding must be 'auto' or 'never', got '${String(transcoding)}'`,
    );
  }
  const extra = options.allowFilterElements ?? [];
  for (const factory of extra) {
    if (!FACTORY_NAME.test(factory)) {
      throw new ConfigurationError(
        `allowFilterElements: '${factory}' is not a GStreamer element factory name (lower case letters, digits, - and _)`,
      );
    }
  }
  return {
    transcoding,
    allowedFilterElements: [...new Set([...DEFAULT_FILTER_ELEMENTS, ...extra])],
    python: options.python ?? (existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3'),
  };
}
