import { runGuarded } from './listenerFailure.js';
import type { MediaSinkPad } from './MediaSinkPad.js';
import type { MediaSourcePad } from './MediaSourcePad.js';

/**
 * The end of a finite stream (a file played to its end), told along the links of the graph:
 * a producer signals it on its source pad, and every sink pad linked to it that listens hears
 * it. Kurento's recorder stops on it when created with `stopOnEndOfStream`.
 *
 * Kept beside the pads rather than in them: only finite sources and recorders care.
 */
const listeners = new WeakMap<MediaSinkPad, () => void>();

/** Calls `listener` when the source linked to `sink` (at that time) ends. Replaces a previous one. */
export function onEndOfStream(sink: MediaSinkPad, listener: (() => void) | undefined): void {
  if (listener) listeners.set(sink, listener);
  else listeners.delete(sink);
}

/** Tells every sink linked to `source` that its stream ended. */
export function signalEndOfStream(source: MediaSourcePad): void {
  for (const sink of source.sinks) {
    const listener = listeners.get(sink);
    if (listener) runGuarded('end of stream listener', listener);
  }
}
