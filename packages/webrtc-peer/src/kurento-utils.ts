// The callback API of kurento-utils-js (lib/WebRtcPeer.js, 6.x) on top of our WebRtcPeer, so that a
// page written for kurento-utils works after swapping its <script> tag. Deliberate differences:
// no public STUN server by default (kurento-utils used freeice), dispose() stops only the tracks
// the peer captured, and simulcast goes through sendEncodings instead of SDP munging.
import { bufferizeCandidates } from './bufferizeCandidates.js';
import { hark } from './hark.js';
import { attachStream } from './media.js';
import type { Listener } from './TypedEventEmitter.js';
import { callUser } from './userCallbacks.js';
import { WebRtcPeer as Peer, type WebRtcPeerEvents } from './WebRtcPeer.js';

export type KurentoPeerMode = 'recvonly' | 'sendonly' | 'sendrecv';
export type KurentoCallback = (this: KurentoWebRtcPeer, error?: unknown) => void;
export type KurentoSdpCallback = (
  this: KurentoWebRtcPeer,
  error: unknown,
  sdp?: string,
  processAnswer?: (sdpAnswer: string, callback?: KurentoCallback) => void,
) => void;

type ChannelHandler<E extends Event> = ((this: RTCDataChannel, event: E) => unknown) | null;

export interface KurentoDataChannelConfig {
  /** The channel's label; default `WebRtcPeer-<peer id>`. */
  id?: string;
  options?: RTCDataChannelInit;
  onopen?: ChannelHandler<Event>;
  onclose?: ChannelHandler<Event>;
  onmessage?: ChannelHandler<MessageEvent>;
  onbufferedamountlow?: ChannelHandler<Event>;
  onerror?: ChannelHandler<Event>;
}

export interface KurentoWebRtcPeerOptions {
  id?: string;
  localVideo?: HTMLVideoElement;
  remoteVideo?: HTMLMediaElement;
  videoStream?: MediaStream;
  audioStream?: MediaStream;
  mediaConstraints?: MediaStreamConstraints;
  /** `'webcam'` (default); anything else captures the screen. */
  sendSource?: string;
  configuration?: RTCConfiguration;
  peerConnection?: RTCPeerConnection;
  onicecandidate?: (candidate: RTCIceCandidate) => void;
  oncandidategatheringdone?: () => void;
  onnegotiationneeded?: ((this: RTCPeerConnection, event: Event) => unknown) | null;
  /** Called once per remote stream, as the RTCPeerConnection event browsers no longer fire. */
  onaddstream?: (event: { stream: MediaStream }) => void;
  /** Receives errors of calls made without a callback, and of ICE failing mid-session. */
  onerror?: (error: unknown) => void;
  dataChannels?: boolean;
  dataChannelConfig?: KurentoDataChannelConfig;
  simulcast?: boolean;
}

/** kurento-utils' event names: ours, plus its name for the end of candidate gathering. */
export type KurentoPeerEvents = WebRtcPeerEvents & { candidategatheringdone: undefined };

function coreEvent(event: keyof KurentoPeerEvents): keyof WebRtcPeerEvents {
  return event === 'candidategatheringdone' ? 'icegatheringdone' : event;
}

function logError(error?: unknown): void {
  if (error) console.error(error);
}

export class KurentoWebRtcPeer {
  readonly id: string;
  readonly #peer: Peer;
  readonly #options: KurentoWebRtcPeerOptions;
  readonly #onerror: (error?: unknown) => void;

  constructor(
    mode: KurentoPeerMode,
    options?: KurentoWebRtcPeerOptions | KurentoCallback,
    callback?: KurentoCallback,
  ) {
    if (typeof options === 'function') {
      callback = options;
      options = undefined;
    }
    const settings = options ?? {};
    this.#options = settings;
    this.id = settings.id ?? crypto.randomUUID();
    this.#onerror = settings.onerror ?? logError;
    const channelConfig = settings.dataChannelConfig;
    this.#peer = new Peer({
      mode,
      localVideo: settings.localVideo,
      remoteVideo: settings.remoteVideo,
      videoStream: settings.videoStream,
      audioStream: settings.audioStream,
      mediaConstraints: settings.mediaConstraints,
      sendSource: (settings.sendSource ?? 'webcam') === 'webcam' ? 'webcam' : 'screen',
      configuration: settings.configuration,
      peerConnection: settings.peerConnection,
      simulcast: settings.simulcast,
      dataChannel: settings.dataChannels
        ? { label: channelConfig?.id ?? `WebRtcPeer-${this.id}`, init: channelConfig?.options }
        : false,
    });
    const channel = this.#peer.dataChannel;
    if (channel && channelConfig) {
      channel.onopen = channelConfig.onopen ?? null;
      channel.onclose = channelConfig.onclose ?? null;
      channel.onmessage = channelConfig.onmessage ?? null;
      channel.onbufferedamountlow = channelConfig.onbufferedamountlow ?? null;
      channel.onerror = channelConfig.onerror ?? null;
    }
    if (settings.onnegotiationneeded) {
      this.peerConnection.onnegotiationneeded = settings.onnegotiationneeded;
    }
    if (settings.onaddstream) this.#reportAddedStreams(settings.onaddstream);
    if (settings.onicecandidate) this.on('icecandidate', settings.onicecandidate);
    if (settings.oncandidategatheringdone) {
      this.on('candidategatheringdone', settings.oncandidategatheringdone);
    }
    this.#peer.on('error', this.#onerror);
    // Always asynchronous, as in kurento-utils: pages use the variable they assign the peer to.
    const done = this.#callback(callback);
    this.#peer.start().then(
      () => callUser(done),
      (error: unknown) => callUser(done, error),
    );
  }

  get peerConnection(): RTCPeerConnection {
    return this.#peer.peerConnection;
  }

  get dataChannel(): RTCDataChannel | undefined {
    return this.#peer.dataChannel;
  }

  get localVideo(): HTMLVideoElement | undefined {
    return this.#options.localVideo;
  }

  get remoteVideo(): HTMLMediaElement | undefined {
    return this.#options.remoteVideo;
  }

  /** The remote video's current picture, drawn on a canvas. */
  get currentFrame(): HTMLCanvasElement | undefined {
    const video = this.#options.remoteVideo;
    if (!(video instanceof HTMLVideoElement)) return undefined;
    if (video.readyState < video.HAVE_CURRENT_DATA)
      throw new Error('No video stream data available');
    const canvas = document.createElement('canvas');
    canvas.width = video.videoWidth;
    canvas.height = video.videoHeight;
    canvas.getContext('2d')?.drawImage(video, 0, 0);
    return canvas;
  }

  get audioEnabled(): boolean {
    return this.#peer.audioEnabled;
  }

  set audioEnabled(enabled: boolean) {
    this.#peer.audioEnabled = enabled;
  }

  get videoEnabled(): boolean {
    return this.#peer.videoEnabled;
  }

  set videoEnabled(enabled: boolean) {
    this.#peer.videoEnabled = enabled;
  }

  get enabled(): boolean {
    return this.audioEnabled && this.videoEnabled;
  }

  set enabled(enabled: boolean) {
    this.audioEnabled = enabled;
    this.videoEnabled = enabled;
  }

  /** The WebRtcPeer of @medley/webrtc-peer underneath, for its promise API. */
  get peer(): Peer {
    return this.#peer;
  }

  generateOffer(callback: KurentoSdpCallback): void {
    const done = callback.bind(this);
    this.#peer.generateOffer().then(
      (sdp) => callUser(done, null, sdp, this.processAnswer.bind(this)),
      (error: unknown) => callUser(done, error),
    );
  }

  processAnswer(sdpAnswer: string, callback?: KurentoCallback): void {
    const done = this.#callback(callback);
    this.#peer.processAnswer(sdpAnswer).then(
      () => callUser(done),
      (error: unknown) => callUser(done, error),
    );
  }

  processOffer(sdpOffer: string, callback: KurentoSdpCallback): void {
    const done = callback.bind(this);
    this.#peer.processOffer(sdpOffer).then(
      (sdp) => callUser(done, null, sdp),
      (error: unknown) => callUser(done, error),
    );
  }

  addIceCandidate(candidate: RTCIceCandidateInit, callback?: KurentoCallback): void {
    const done = this.#callback(callback);
    this.#peer.addIceCandidate(candidate).then(
      () => callUser(done),
      (error: unknown) => callUser(done, error),
    );
  }

  /**
   * The stream(s) sent: the `videoStream` and `audioStream` given, themselves and in that
   * order, as kurento-utils adds their tracks with them; else the one captured.
   */
  getLocalStream(index = 0): MediaStream | undefined {
    const { videoStream, audioStream } = this.#options;
    const given = [videoStream, audioStream].filter((stream) => stream !== undefined);
    return given.length > 0 ? given[index] : index === 0 ? this.#peer.getLocalStream() : undefined;
  }

  getRemoteStream(index = 0): MediaStream | undefined {
    return index === 0 ? this.#peer.getRemoteStream() : undefined;
  }

  getLocalSessionDescriptor(): RTCSessionDescription | null {
    return this.peerConnection.localDescription;
  }

  getRemoteSessionDescriptor(): RTCSessionDescription | null {
    return this.peerConnection.remoteDescription;
  }

  showLocalVideo(): void {
    const stream = this.getLocalStream();
    if (this.#options.localVideo && stream) attachStream(this.#options.localVideo, stream, true);
  }

  /** Sends on the data channel, or warns when it is not open (as kurento-utils does). */
  send(data: string | Blob | ArrayBuffer | ArrayBufferView<ArrayBuffer>): void {
    this.#peer.send(data).catch((error: unknown) => console.warn(error));
  }

  on<E extends keyof KurentoPeerEvents>(event: E, listener: Listener<KurentoPeerEvents[E]>): this {
    this.#peer.on(coreEvent(event), listener as never);
    return this;
  }

  addListener<E extends keyof KurentoPeerEvents>(
    event: E,
    listener: Listener<KurentoPeerEvents[E]>,
  ): this {
    return this.on(event, listener);
  }

  once<E extends keyof KurentoPeerEvents>(
    event: E,
    listener: Listener<KurentoPeerEvents[E]>,
  ): this {
    this.#peer.once(coreEvent(event), listener as never);
    return this;
  }

  removeListener<E extends keyof KurentoPeerEvents>(
    event: E,
    listener: Listener<KurentoPeerEvents[E]>,
  ): this {
    this.#peer.off(coreEvent(event), listener as never);
    return this;
  }

  off<E extends keyof KurentoPeerEvents>(event: E, listener: Listener<KurentoPeerEvents[E]>): this {
    return this.removeListener(event, listener);
  }

  removeAllListeners(event?: keyof KurentoPeerEvents): this {
    this.#peer.removeAllListeners(event === undefined ? undefined : coreEvent(event));
    return this;
  }

  dispose(): void {
    this.#peer.dispose();
  }

  #callback(callback: KurentoCallback | undefined): (error?: unknown) => void {
    return callback ? callback.bind(this) : this.#onerror;
  }

  #reportAddedStreams(onaddstream: (event: { stream: MediaStream }) => void): void {
    const seen = new Set<string>();
    this.peerConnection.addEventListener('track', ({ streams }) => {
      for (const stream of streams) {
        if (seen.has(stream.id)) continue;
        seen.add(stream.id);
        callUser(onaddstream, { stream });
      }
    });
  }
}

/** Callable with or without `new`, like kurento-utils' constructors. */
export interface KurentoPeerConstructor {
  new (
    options?: KurentoWebRtcPeerOptions | KurentoCallback,
    callback?: KurentoCallback,
  ): KurentoWebRtcPeer;
  (
    options?: KurentoWebRtcPeerOptions | KurentoCallback,
    callback?: KurentoCallback,
  ): KurentoWebRtcPeer;
}

export interface KurentoGenericPeerConstructor {
  new (
    mode: KurentoPeerMode,
    options?: KurentoWebRtcPeerOptions | KurentoCallback,
    callback?: KurentoCallback,
  ): KurentoWebRtcPeer;
  (
    mode: KurentoPeerMode,
    options?: KurentoWebRtcPeerOptions | KurentoCallback,
    callback?: KurentoCallback,
  ): KurentoWebRtcPeer;
}

function peerConstructor(mode: KurentoPeerMode): KurentoPeerConstructor {
  function ModePeer(
    options?: KurentoWebRtcPeerOptions | KurentoCallback,
    callback?: KurentoCallback,
  ) {
    return new KurentoWebRtcPeer(mode, options, callback);
  }
  // `peer instanceof WebRtcPeerSendrecv` holds, as with kurento-utils.
  ModePeer.prototype = KurentoWebRtcPeer.prototype;
  return ModePeer as unknown as KurentoPeerConstructor;
}

function GenericPeer(
  mode: KurentoPeerMode,
  options?: KurentoWebRtcPeerOptions | KurentoCallback,
  callback?: KurentoCallback,
): KurentoWebRtcPeer {
  return new KurentoWebRtcPeer(mode, options, callback);
}
GenericPeer.prototype = KurentoWebRtcPeer.prototype;

/** `kurentoUtils.WebRtcPeer`, as pages written for kurento-utils-js call it. */
export const WebRtcPeer = {
  bufferizeCandidates,
  hark,
  WebRtcPeer: GenericPeer as unknown as KurentoGenericPeerConstructor,
  WebRtcPeerRecvonly: peerConstructor('recvonly'),
  WebRtcPeerSendonly: peerConstructor('sendonly'),
  WebRtcPeerSendrecv: peerConstructor('sendrecv'),
};
