// Value types of the Kurento API (the `complexTypes` of core.kmd.json and elements.kmd.json) that
// this client exposes. Complex values on the wire may also carry `__module__` and `__type__`.

export type MediaType = 'AUDIO' | 'VIDEO' | 'DATA';
export type MediaState = 'CONNECTED' | 'DISCONNECTED';
export type ConnectionState = 'CONNECTED' | 'DISCONNECTED';
export type MediaFlowState = 'FLOWING' | 'NOT_FLOWING';
export type MediaTranscodingState = 'TRANSCODING' | 'NOT_TRANSCODING';

/** Which media a filter changes (Kurento's FilterType). */
export type FilterType = 'AUDIO' | 'AUTODETECT' | 'VIDEO';
export type IceComponentState =
  | 'DISCONNECTED'
  | 'GATHERING'
  | 'CONNECTING'
  | 'CONNECTED'
  | 'READY'
  | 'FAILED';
export type DtlsConnectionState = 'NEW' | 'CLOSED' | 'FAILED' | 'CONNECTING' | 'CONNECTED';
export type UriEndpointState = 'STOP' | 'START' | 'PAUSE';
export type CertificateKeyType = 'RSA' | 'ECDSA';
export type MediaProfileSpecType =
  | 'WEBM'
  | 'MKV'
  | 'MP4'
  | 'WEBM_VIDEO_ONLY'
  | 'WEBM_AUDIO_ONLY'
  | 'MKV_VIDEO_ONLY'
  | 'MKV_AUDIO_ONLY'
  | 'MP4_VIDEO_ONLY'
  | 'MP4_AUDIO_ONLY'
  | 'JPEG_VIDEO_ONLY'
  | 'KURENTO_SPLIT_RECORDER'
  | 'FLV';
export type GstreamerDotDetails =
  | 'SHOW_MEDIA_TYPE'
  | 'SHOW_CAPS_DETAILS'
  | 'SHOW_NON_DEFAULT_PARAMS'
  | 'SHOW_STATES'
  | 'SHOW_FULL_PARAMS'
  | 'SHOW_ALL'
  | 'SHOW_VERBOSE';

/** An ICE candidate, as in the browser's `RTCIceCandidateInit` with both fields required. */
export interface IceCandidate {
  candidate: string;
  sdpMid: string;
  sdpMLineIndex: number;
}

export interface IceCandidatePair {
  streamId: string;
  componentId: number;
  localCandidate: string;
  remoteCandidate: string;
}

export interface IceConnection {
  streamId: string;
  componentId: number;
  state: IceComponentState;
}

export interface Tag {
  key: string;
  value: string;
}

export interface ModuleInfo {
  name: string;
  version: string;
  generationTime?: string;
  factories: string[];
}

export interface ServerInfo {
  version: string;
  modules: ModuleInfo[];
  type: 'KMS' | 'KCS';
  capabilities: string[];
}

export interface OfferOptions {
  offerToReceiveAudio?: boolean;
  offerToReceiveVideo?: boolean;
}

export interface Fraction {
  numerator: number;
  denominator: number;
}

export interface AudioCaps {
  codec: 'OPUS' | 'PCMU' | 'PCMA' | 'RAW';
  bitrate: number;
}

export interface VideoCaps {
  codec: 'H265' | 'AV1' | 'VP9' | 'VP8' | 'H264' | 'RAW';
  framerate: Fraction;
}

export interface RembParams {
  packetsRecvIntervalTop?: number;
  exponentialFactor?: number;
  linealFactorMin?: number;
  linealFactorGrade?: number;
  decrementFactor?: number;
  thresholdFactor?: number;
  upLosses?: number;
  rembOnConnect?: number;
}

/** SDES keying for a plain-RTP endpoint (SRTP without DTLS). */
export interface SDES {
  key?: string;
  keyBase64?: string;
  crypto?:
    | 'AES_128_CM_HMAC_SHA1_32'
    | 'AES_128_CM_HMAC_SHA1_80'
    | 'AES_256_CM_HMAC_SHA1_32'
    | 'AES_256_CM_HMAC_SHA1_80';
}

export interface VideoInfo {
  isSeekable: boolean;
  seekableInit: number;
  seekableEnd: number;
  duration: number;
}

/**
 * One entry of `getStats()`: `type` says which (`inboundrtp`, `outboundrtp`, `endpoint`,
 * `element`, ...). The remaining fields follow the W3C/Kurento stats of that type.
 */
export interface Stats {
  id: string;
  type: string;
  timestampMillis?: number;
  [field: string]: unknown;
}
