/** The containers the recorder writes. `matroska` is MKV; `mp4` is fragmented MP4. */
export type ContainerFormat = 'webm' | 'matroska' | 'mp4';

/** The codecs the recorder stores, as the graph names them (`codecName` of a MediaCodec). */
export type RecordedCodec = 'VP8' | 'VP9' | 'H264' | 'OPUS';

/** A kind of track in a recording. */
export type TrackKind = 'audio' | 'video';

/** Kurento's MediaProfileSpecType values (all of them, so any client value parses). */
export const MEDIA_PROFILE_NAMES = [
  'WEBM',
  'MKV',
  'MP4',
  'WEBM_VIDEO_ONLY',
  'WEBM_AUDIO_ONLY',
  'MKV_VIDEO_ONLY',
  'MKV_AUDIO_ONLY',
  'MP4_VIDEO_ONLY',
  'MP4_AUDIO_ONLY',
  'JPEG_VIDEO_ONLY',
  'KURENTO_SPLIT_RECORDER',
  'FLV',
] as const;

/** A Kurento MediaProfileSpecType name (`WEBM`, `MP4_VIDEO_ONLY`, ...). */
export type MediaProfileName = (typeof MEDIA_PROFILE_NAMES)[number];

/** What a profile records: a container, the track kinds and the codecs each kind may use. */
export interface MediaProfile {
  /** The Kurento name the client gave (`mediaProfile` of RecorderEndpoint). */
  readonly name: MediaProfileName;
  /** The file format written. */
  readonly container: ContainerFormat;
  /** The kinds of track recorded (one for the `_ONLY` profiles). */
  readonly kinds: readonly TrackKind[];
  /**
   * The codecs each kind may be stored in; the recorder stores what arrives, it never transcodes.
   */
  readonly codecs: Readonly<Record<TrackKind, readonly RecordedCodec[]>>;
  /** The file extension players expect. */
  readonly extension: string;
}

const CODECS: Readonly<Record<ContainerFormat, Record<TrackKind, readonly RecordedCodec[]>>> = {
  webm: { video: ['VP8', 'VP9'], audio: ['OPUS'] },
  matroska: { video: ['VP8', 'VP9', 'H264'], audio: ['OPUS'] },
  mp4: { video: ['H264'], audio: ['OPUS'] },
};

const CONTAINERS: Readonly<Record<string, ContainerFormat>> = {
  WEBM: 'webm',
  MKV: 'matroska',
  MP4: 'mp4',
};

const EXTENSIONS: Readonly<Record<ContainerFormat, string>> = {
  webm: '.webm',
  matroska: '.mkv',
  mp4: '.mp4',
};

/**
 * The profile of a MediaProfileSpecType name, or undefined for the Kurento profiles Medley does
 * not record (JPEG_VIDEO_ONLY, KURENTO_SPLIT_RECORDER, FLV): the recorder never transcodes.
 */
export function mediaProfile(name: MediaProfileName): MediaProfile | undefined {
  const [containerName, only] = name.split('_') as [string, string | undefined];
  const container = CONTAINERS[containerName];
  if (!container) return undefined;
  const kinds: TrackKind[] =
    only === 'VIDEO' ? ['video'] : only === 'AUDIO' ? ['audio'] : ['video', 'audio'];
  return { name, container, kinds, codecs: CODECS[container], extension: EXTENSIONS[container] };
}

/** For error messages: `VP8 or VP9 video and OPUS audio`. */
export function describeProfileCodecs(profile: MediaProfile): string {
  return profile.kinds.map((kind) => `${profile.codecs[kind].join(' or ')} ${kind}`).join(' and ');
}
