import { codecName, describeCodec, type MediaCodec } from '../graph/index.js';
import { ProcessingError } from './ProcessingError.js';

/** Realtime settings for one encoder, from what the stage's receivers can take. */
export interface EncoderSettings {
  /** Target bitrate in bit/s. */
  readonly bitrate: number;
}

/**
 * How GStreamer reads and writes one RTP codec: the caps of its RTP stream, the depayloader and
 * decoder that turn it into raw media, and the encoder and payloader that make it again.
 * Encoders are set for realtime (no look-ahead, no B-frames, fast presets), as a live call needs.
 */
interface CodecElements {
  readonly kind: 'audio' | 'video';
  readonly encodingName: string;
  /** `rtp…depay ! …dec`, from RTP to raw media. */
  readonly decode: string;
  /** From raw media to the payloader's input; `name` names the encoder for keyframe requests. */
  readonly encode?: (name: string, settings: EncoderSettings) => string;
  readonly pay?: (payloadType: number) => string;
  /** The encoder property that takes a new bitrate, and its unit divisor (1 = bit/s). */
  readonly bitrateProperty?: { readonly name: string; readonly divisor: number };
  /** The fmtp parameters of what the encoder produces (what a receiver must accept). */
  readonly producedParameters?: string;
}

const MTU = 1200;

const CODECS: Readonly<Record<string, CodecElements>> = {
  VP8: {
    kind: 'video',
    encodingName: 'VP8',
    decode: 'rtpvp8depay request-keyframe=true wait-for-keyframe=true ! vp8dec threads=2',
    encode: (name, { bitrate }) =>
      `vp8enc name=${name} deadline=1 cpu-used=8 end-usage=cbr target-bitrate=${bitrate} ` +
      'lag-in-frames=0 error-resilient=default keyframe-max-dist=3000 threads=2 ' +
      'undershoot=95 buffer-size=1000 buffer-initial-size=500 buffer-optimal-size=600',
    pay: (payloadType) => `rtpvp8pay pt=${payloadType} mtu=${MTU} picture-id-mode=15-bit`,
    bitrateProperty: { name: 'target-bitrate', divisor: 1 },
  },
  VP9: {
    kind: 'video',
    encodingName: 'VP9',
    decode: 'rtpvp9depay request-keyframe=true wait-for-keyframe=true ! vp9dec threads=2',
  },
  H264: {
    kind: 'video',
    encodingName: 'H264',
    decode:
      'rtph264depay request-keyframe=true wait-for-keyframe=true ! h264parse ! avdec_h264 thread-type=slice',
    encode: (name, { bitrate }) =>
      `x264enc name=${name} tune=zerolatency speed-preset=ultrafast bitrate=${Math.round(bitrate / 1000)} ` +
      'key-int-max=3000 threads=2 ! video/x-h264,profile=constrained-baseline,stream-format=byte-stream',
    pay: (payloadType) =>
      `rtph264pay pt=${payloadType} mtu=${MTU} config-interval=-1 aggregate-mode=zero-latency`,
    bitrateProperty: { name: 'bitrate', divisor: 1000 },
    producedParameters: 'level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f',
  },
  OPUS: {
    kind: 'audio',
    encodingName: 'OPUS',
    decode: 'rtpopusdepay ! opusdec plc=true',
    encode: (name, { bitrate }) =>
      `audioconvert ! audioresample ! audio/x-raw,rate=48000,channels=2 ! opusenc name=${name} bitrate=${Math.min(bitrate, 128_000)} frame-size=20 inband-fec=true`,
    pay: (payloadType) => `rtpopuspay pt=${payloadType}`,
    producedParameters: 'minptime=10;useinbandfec=1',
  },
  PCMU: {
    kind: 'audio',
    encodingName: 'PCMU',
    decode: 'rtppcmudepay ! mulawdec',
    encode: (name) =>
      `audioconvert ! audioresample ! audio/x-raw,rate=8000,channels=1 ! mulawenc name=${name}`,
    pay: (payloadType) => `rtppcmupay pt=${payloadType} min-ptime=20000000 max-ptime=20000000`,
  },
  PCMA: {
    kind: 'audio',
    encodingName: 'PCMA',
    decode: 'rtppcmadepay ! alawdec',
    encode: (name) =>
      `audioconvert ! audioresample ! audio/x-raw,rate=8000,channels=1 ! alawenc name=${name}`,
    pay: (payloadType) => `rtppcmapay pt=${payloadType} min-ptime=20000000 max-ptime=20000000`,
  },
};

function elementsOf(codec: MediaCodec): CodecElements {
  const elements = CODECS[codecName(codec)];
  if (!elements) {
    throw new ProcessingError(
      'CODEC_UNSUPPORTED',
      `The processing plane cannot decode ${describeCodec(codec)} (it decodes ${Object.keys(CODECS).join(', ')})`,
    );
  }
  return elements;
}

/** Whether the processing plane can decode this codec. */
export function canDecode(codec: MediaCodec): boolean {
  return CODECS[codecName(codec)] !== undefined;
}

/** Whether the processing plane can encode this codec. */
export function canEncode(codec: MediaCodec): boolean {
  return CODECS[codecName(codec)]?.encode !== undefined;
}

/** The codecs the processing plane encodes, for error messages. */
export function encodableCodecNames(): string[] {
  return Object.entries(CODECS)
    .filter(([, elements]) => elements.encode)
    .map(([name]) => name);
}

/** `udpsrc … ! jitterbuffer ! depay ! decoder`: RTP of `codec` in, raw media out. */
export function decodeChain(stream: string, codec: MediaCodec): string {
  const elements = elementsOf(codec);
  const caps =
    `application/x-rtp,media=${elements.kind},clock-rate=${codec.clockRate},` +
    `encoding-name=${elements.encodingName},payload=${codec.payloadType}`;
  // No drop-on-latency: a source that answers a keyframe request by resending its last group
  // of pictures (a player) sends a burst spanning up to a second, and dropping the oldest of it
  // would drop the very keyframe that was asked for. The leaky queue after the decoder is what
  // keeps a slow stage from falling behind.
  return (
    `udpsrc name=${stream}_in caps="${caps}" buffer-size=1048576 ! ` +
    `rtpjitterbuffer latency=50 do-lost=true ! ${elements.decode}`
  );
}

/** `encoder ! payloader ! udpsink`: raw media in, RTP of `codec` out. */
export function encodeChain(stream: string, codec: MediaCodec, settings: EncoderSettings): string {
  const elements = elementsOf(codec);
  if (!elements.encode || !elements.pay) {
    throw new ProcessingError(
      'CODEC_UNSUPPORTED',
      `The processing plane cannot encode ${describeCodec(codec)} (it encodes ${encodableCodecNames().join(', ')})`,
    );
  }
  return (
    `${elements.encode(encoderName(stream), settings)} ! ${elements.pay(codec.payloadType)} ! ` +
    `udpsink name=${stream}_out sync=false async=false`
  );
}

/**
 * Raw-media glue: converts and scales whatever the previous element gives. Named
 * `<name>_convert` and `<name>_scale`, so that a filter's own elements can be told apart.
 */
export function rawConversion(kind: 'audio' | 'video', name: string): string {
  return kind === 'video'
    ? `videoconvert name=${name}_convert ! videoscale name=${name}_scale`
    : `audioconvert name=${name}_convert ! audioresample name=${name}_scale`;
}

/**
 * A queue that drops the oldest raw frame rather than the call: when the encoder falls behind
 * (an overloaded machine), frames are skipped instead of delay piling up.
 */
export const LEAKY_QUEUE =
  'queue max-size-buffers=2 max-size-bytes=0 max-size-time=0 leaky=downstream';

export function encoderName(stream: string): string {
  return `${stream}_encoder`;
}

/** The media kind a codec carries. */
export function kindOf(codec: MediaCodec): 'audio' | 'video' {
  return elementsOf(codec).kind;
}

/** The encoder property that sets the bitrate, with the value for `bitsPerSecond`. */
export function bitrateSetting(
  codec: MediaCodec,
  bitsPerSecond: number,
): { readonly property: string; readonly value: number } | undefined {
  const property = elementsOf(codec).bitrateProperty;
  if (!property) return undefined;
  return { property: property.name, value: Math.round(bitsPerSecond / property.divisor) };
}

/**
 * The codec a stage produces when asked to encode `wanted`: the same name, clock rate and
 * channels, with the fmtp parameters of what the encoder really makes.
 */
export function producedCodec(wanted: MediaCodec): MediaCodec {
  const parameters = elementsOf(wanted).producedParameters ?? wanted.parameters;
  return {
    mimeType: wanted.mimeType,
    payloadType: wanted.payloadType,
    clockRate: wanted.clockRate,
    ...(wanted.channels !== undefined ? { channels: wanted.channels } : {}),
    ...(parameters ? { parameters } : {}),
  };
}
