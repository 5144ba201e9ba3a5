import {
  type CodecAdaptation,
  type CodecAdapter,
  codecName,
  describeCodec,
  isCodecCompatible,
  type MediaCodec,
  MediaGraphError,
  type MediaSinkPad,
  type MediaSourcePad,
} from '../graph/index.js';
import type { Logger } from '../logger.js';
import { canDecode, canEncode, encodableCodecNames, producedCodec } from './codecElements.js';
import type { ProcessingPlane } from './ProcessingPlane.js';
import { Transcoder } from './Transcoder.js';

/**
 * Kurento's agnosticbin for the whole server: when a sink negotiated none of the codecs its
 * source sends, it gets a transcoder. One transcoder per (source stream, output codec) serves
 * every sink that needs that codec, and stops when its last sink leaves. With transcoding
 * `never`, such links are refused at connect time where the codecs are known, and reported as
 * an `Error` event where they are found out later.
 */
export class TranscoderRegistry implements CodecAdapter {
  readonly #plane: ProcessingPlane;
  readonly #logger: Logger;
  readonly #bySource = new Map<MediaSourcePad, Set<Transcoder>>();
  #count = 0;

  constructor(plane: ProcessingPlane, logger: Logger) {
    this.#plane = plane;
    this.#logger = logger;
  }

  /** Every running transcoder (for stats and tests). */
  get transcoders(): readonly Transcoder[] {
    return [...this.#bySource.values()].flatMap((set) => [...set]);
  }

  checkLink(source: MediaSourcePad, sink: MediaSinkPad): void {
    if (this.#plane.settings.transcoding !== 'never') return;
    const produced = source.codecs;
    const accepted = sink.negotiatedCodecs;
    if (!produced?.length || !accepted?.length) return;
    if (produced.some((codec) => accepted.some((candidate) => isCodecCompatible(codec, candidate))))
      return;
    throw this.#disabledError(source, produced[0] as MediaCodec, accepted, sink);
  }

  adapt(
    source: MediaSourcePad,
    input: MediaCodec,
    accepted: readonly MediaCodec[],
    sink: MediaSinkPad,
  ): CodecAdaptation {
    if (this.#plane.settings.transcoding === 'never')
      throw this.#disabledError(source, input, accepted, sink);
    const wanted = accepted.find(canEncode);
    if (!canDecode(input) || !wanted) {
      throw new MediaGraphError(
        'TRANSCODING_FAILED',
        `${source.mediaType} arrives as ${describeCodec(input)} but ${sink.node.name}'s peer negotiated only ${describeAll(accepted)}, ` +
          `and the processing plane cannot convert between them (it encodes ${encodableCodecNames().join(', ')}). ` +
          'Make both peers offer a common codec.',
        source.mediaType,
      );
    }
    const transcoder =
      this.#find(source, input, wanted) ?? this.#startTranscoder(source, input, wanted, sink);
    transcoder.subscribe(sink);
    let released = false;
    return {
      output: transcoder.output,
      requestKeyframe: () => transcoder.requestKeyframe(),
      release: () => {
        if (released) return;
        released = true;
        transcoder.unsubscribe(sink);
      },
    };
  }

  #find(source: MediaSourcePad, input: MediaCodec, wanted: MediaCodec): Transcoder | undefined {
    for (const transcoder of this.#bySource.get(source) ?? []) {
      if (transcoder.input === input && isCodecCompatible(transcoder.output, wanted))
        return transcoder;
    }
    return undefined;
  }

  #startTranscoder(
    source: MediaSourcePad,
    input: MediaCodec,
    wanted: MediaCodec,
    sink: MediaSinkPad,
  ): Transcoder {
    const output = producedCodec(wanted);
    const binName = `transcoder_${source.mediaType.toLowerCase()}_${codecName(input)}_to_${codecName(output)}_${++this.#count}`;
    let set = this.#bySource.get(source);
    if (!set) {
      set = new Set();
      this.#bySource.set(source, set);
    }
    const transcoders = set;
    const transcoder: Transcoder = new Transcoder(
      this.#plane,
      source,
      input,
      output,
      binName,
      this.#logger,
      () => {
        transcoders.delete(transcoder);
        if (transcoders.size === 0) this.#bySource.delete(source);
      },
    );
    transcoders.add(transcoder);
    this.#logger.info('transcoder started', {
      binName,
      from: describeCodec(input),
      to: describeCodec(output),
      reason: `${sink.node.name} negotiated only ${describeAll(sink.negotiatedCodecs ?? [])}, its source ${source.node.name} sends ${describeCodec(input)}`,
    });
    return transcoder;
  }

  #disabledError(
    source: MediaSourcePad,
    input: MediaCodec,
    accepted: readonly MediaCodec[],
    sink: MediaSinkPad,
  ): MediaGraphError {
    return new MediaGraphError(
      'TRANSCODING_DISABLED',
      `${source.mediaType} of ${source.node.name} is ${describeCodec(input)} but ${sink.node.name}'s peer negotiated only ${describeAll(accepted)}, ` +
        'and transcoding is off (--transcoding never). Make both peers offer a common codec, or start the media server with --transcoding auto.',
      source.mediaType,
    );
  }
}

function describeAll(codecs: readonly MediaCodec[]): string {
  return codecs.map(describeCodec).join(', ') || 'nothing';
}
