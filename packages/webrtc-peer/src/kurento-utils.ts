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

export type { CandidateCallback } from './bufferizeCandidates.js';
export type { HarkEvents, Harker, HarkListener, HarkOptions } from './hark.js';

/** Which way media flows; the mode argument of `new kurentoUtils.WebRtcPeer.WebRtcPeer(mode)`. */
export type KurentoPeerMode = 'recvonly' | 'sendonly' | 'sendrecv';
/**
 * kurento-utils' completion callback: called with nothing on success, with the error otherwise;
 * `this` is the peer.
 */
export type KurentoCallback = (this: KurentoWebRtcPeer, error?: unknown) => void;
/**
 * The callback of `generateOffer` and `processOffer`: the error (null on success) and the SDP to
 * send; `generateOffer`'s also gets `processAnswer`, bound to the peer.
 */
export type KurentoSdpCallback = (
  this: KurentoWebRtcPeer,
  error: unknown,
  sdp?: string,
  processAnswer?: (sdpAnswer: string, callback?: KurentoCallback) => void,
) => void;

/** An `on…` handler of an RTCDataChannel, as the channel calls it. */
export type ChannelHandler<E extends Event> = ((this: RTCDataChannel, event: E) => unknown) | null;

/** kurento-utils' `dataChannelConfig`: the channel's label and options, and its handlers. */
export interface KurentoDataChannelConfig {
  /** The channel's label; default `WebRtcPeer-<peer id>`. */
  id?: string;
  /** Passed to `createDataChannel` (ordered, maxRetransmits, ...). */
  options?: RTCDataChannelInit;
  /** Set as the channel's `onopen`. */
  onopen?: ChannelHandler<Event>;
  /** Set as the channel's `onclose`. */
  onclose?: ChannelHandler<Event>;
  /** Set as the channel's `onmessage`. */
  onmessage?: ChannelHandler<MessageEvent>;
  /** Set as the channel's `onbufferedamountlow`. */
  onbufferedamountlow?: ChannelHandler<Event>;
  /** Set as the channel's `onerror`. */
  onerror?: ChannelHandler<Event>;
}

/** The options of kurento-utils' WebRtcPeer constructors, with the same names and meaning. */
export interface KurentoWebRtcPeerOptions {
  /** Names the peer (and its data channel's default label); default a random UUID. */
  id?: string;
  /** Shows the local stream, muted. */
  localVideo?: HTMLVideoElement;
  /** Plays the remote stream. */
  remoteVideo?: HTMLMediaElement;
  /** Video to send instead of capturing; it stays the caller's (`dispose()` leaves it live). */
  videoStream?: MediaStream;
  /** Audio to send instead of capturing; it stays the caller's. */
  audioStream?: MediaStream;
  /** What to capture; default `{ audio: true, video: { width: 640, frameRate: 15 } }`. */
  mediaConstraints?: MediaStreamConstraints;
  /** `'webcam'` (default); anything else captures the screen. */
  sendSource?: string;
  /**
   * Passed to RTCPeerConnection. Unlike kurento-utils, no public STUN server is added: give
   * `iceServers` here when the peers are not on one network.
   */
  configuration?: RTCConfiguration;
  /** A connection to use instead of creating one. */
  peerConnection?: RTCPeerConnection;
  /** Called with each local ICE candidate, to send to the remote side. */
  onicecandidate?: (candidate: RTCIceCandidate) => void;
  /** Called once local candidate gathering finished. */
  oncandidategatheringdone?: () => void;
  /** Set as the RTCPeerConnection's `onnegotiationneeded`. */
  onnegotiationneeded?: ((this: RTCPeerConnection, event: Event) => unknown) | null;
  /** Called once per remote stream, as the RTCPeerConnection event browsers no longer fire. */
  onaddstream?: (event: { stream: MediaStream }) => void;
  /** Receives errors of calls made without a callback, and of ICE failing mid-session. */
  onerror?: (error: unknown) => void;
  /** Opens a data channel with the offer; default false. */
  dataChannels?: boolean;
  /** The data channel's label, options and handlers, when `dataChannels` is true. */
  dataChannelConfig?: KurentoDataChannelConfig;
  /** Sends video as three simulcast layers (through sendEncodings, not SDP munging). */
  simulcast?: boolean;
}

/** kurento-utils' event names: ours, plus its name for the end of candidate gathering. */
export type KurentoPeerEvents = WebRtcPeerEvents & {
  /** Local candidate gathering finished (the `icegatheringdone` event of WebRtcPeer). */
  candidategatheringdone: undefined;
};

function coreEvent(event: keyof KurentoPeerEvents): keyof WebRtcPeerEvents {
  return event === 'candidategatheringdone' ? 'icegatheringdone' : event;
}

function logError(error?: unknown): void {
  if (error) console.error(error);
}

/**
 * A peer with kurento-utils-js' callback API, over a {@link WebRtcPeer}. Pages get it from
 * `kurentoUtils.WebRtcPeer.WebRtcPeerSendrecv(options, callback)` and its siblings, with or
 * without `new`; `callback` is called once media is captured (or with the capture error).
 */
export class KurentoWebRtcPeer {
  /** The `id` option, or a random UUID. */
  readonly id: string;
  readonly #peer: Peer;
  readonly #options: KurentoWebRtcPeerOptions;
  readonly #onerror: (error?: unknown) => void;

  /**
   * Starts capturing at once; `callback` (or `onerror` when there is none) is called
   * asynchronously when done, as in kurento-utils, so the page has assigned the peer by then.
   */
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

  /** The RTCPeerConnection underneath. */
  get peerConnection(): RTCPeerConnection {
    return this.#peer.peerConnection;
  }

  /** The data channel, when `dataChannels` was set (or the remote side opened one). */
  get dataChannel(): RTCDataChannel | undefined {
    return this.#peer.dataChannel;
  }

  /** The `localVideo` option. */
  get localVideo(): HTMLVideoElement | undefined {
    return this.#options.localVideo;
  }

  /** The `remoteVideo` option. */
  get remoteVideo(): HTMLMediaElement | undefined {
    return this.#options.remoteVideo;
  }

  /**
   * The remote video's current picture, drawn on a canvas; undefined when `remoteVideo` is not a
   * video element. Throws an Error when the video has no picture yet.
   */
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

  /** True when every audio track sent is enabled; false when muted, or when no audio is sent. */
  get audioEnabled(): boolean {
    return this.#peer.audioEnabled;
  }

  /** Mutes or unmutes the audio sent, without renegotiating. */
  set audioEnabled(enabled: boolean) {
    this.#peer.audioEnabled = enabled;
  }

  /** True when every video track sent is enabled; false when turned off, or when none is sent. */
  get videoEnabled(): boolean {
    return this.#peer.videoEnabled;
  }

  /** Turns the video sent off (black frames) or on, without renegotiating. */
  set videoEnabled(enabled: boolean) {
    this.#peer.videoEnabled = enabled;
  }

  /** Both `audioEnabled` and `videoEnabled`. */
  get enabled(): boolean {
    return this.audioEnabled && this.videoEnabled;
  }

  /** Sets `audioEnabled` and `videoEnabled` together. */
  set enabled(enabled: boolean) {
    this.audioEnabled = enabled;
    this.videoEnabled = enabled;
  }

  /** The WebRtcPeer of @medley/webrtc-peer underneath, for its promise API. */
  get peer(): Peer {
    return this.#peer;
  }

  /** Creates and applies an offer; `callback` gets its SDP, to send to the remote side. */
  generateOffer(callback: KurentoSdpCallback): void {
    const done = callback.bind(this);
    this.#peer.generateOffer().then(
      (sdp) => callUser(done, null, sdp, this.processAnswer.bind(this)),
      (error: unknown) => callUser(done, error),
    );
  }

  /** Applies the remote side's answer; errors go to `callback`, else to `onerror`. */
  processAnswer(sdpAnswer: string, callback?: KurentoCallback): void {
    const done = this.#callback(callback);
    this.#peer.processAnswer(sdpAnswer).then(
      () => callUser(done),
      (error: unknown) => callUser(done, error),
    );
  }

  /** Applies the remote side's offer; `callback` gets the answer's SDP. */
  processOffer(sdpOffer: string, callback: KurentoSdpCallback): void {
    const done = callback.bind(this);
    this.#peer.processOffer(sdpOffer).then(
      (sdp) => callUser(done, null, sdp),
      (error: unknown) => callUser(done, error),
    );
  }

  /**
   * Adds a remote candidate; one that arrives before its description is held until then.
   * Errors go to `callback`, else to `onerror`.
   */
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

  /** The stream received (index 0; there is only one). */
  getRemoteStream(index = 0): MediaStream | undefined {
    return index === 0 ? this.#peer.getRemoteStream() : undefined;
  }

  /** The RTCPeerConnection's `localDescription`. */
  getLocalSessionDescriptor(): RTCSessionDescription | null {
    return this.peerConnection.localDescription;
  }

  /** The RTCPeerConnection's `remoteDescription`. */
  getRemoteSessionDescriptor(): RTCSessionDescription | null {
    return this.peerConnection.remoteDescription;
  }

  /** Shows the local stream in `localVideo` (muted). */
  showLocalVideo(): void {
    const stream = this.getLocalStream();
    if (this.#options.localVideo && stream) attachStream(this.#options.localVideo, stream, true);
  }

  /** Sends on the data channel, or warns when it is not open (as kurento-utils does). */
  send(data: string | Blob | ArrayBuffer | ArrayBufferView<ArrayBuffer>): void {
    this.#peer.send(data).catch((error: unknown) => console.warn(error));
  }

  /** Adds a listener of a {@link WebRtcPeer} event, or of `candidategatheringdone`. */
  on<E extends keyof KurentoPeerEvents>(event: E, listener: Listener<KurentoPeerEvents[E]>): this {
    this.#peer.on(coreEvent(event), listener as never);
    return this;
  }

  /** The same as `on`. */
  addListener<E extends keyof KurentoPeerEvents>(
    event: E,
    listener: Listener<KurentoPeerEvents[E]>,
  ): this {
    return this.on(event, listener);
  }

  /** Like `on`, for the next event only. */
  once<E extends keyof KurentoPeerEvents>(
    event: E,
    listener: Listener<KurentoPeerEvents[E]>,
  ): this {
    this.#peer.once(coreEvent(event), listener as never);
    return this;
  }

  /** Removes a listener added with `on`. */
  removeListener<E extends keyof KurentoPeerEvents>(
    event: E,
    listener: Listener<KurentoPeerEvents[E]>,
  ): this {
    this.#peer.off(coreEvent(event), listener as never);
    return this;
  }

  /** The same as `removeListener`. */
  off<E extends keyof KurentoPeerEvents>(event: E, listener: Listener<KurentoPeerEvents[E]>): this {
    return this.removeListener(event, listener);
  }

  /** Removes every listener of `event`, or of all events. */
  removeAllListeners(event?: keyof KurentoPeerEvents): this {
    this.#peer.removeAllListeners(event === undefined ? undefined : coreEvent(event));
    return this;
  }

  /**
   * Closes the connection, stops the tracks the peer captured (unlike kurento-utils, never the
   * streams given as options) and removes the listeners.
   */
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

/** `kurentoUtils.WebRtcPeer.WebRtcPeer`: the mode is the first argument. Callable without `new`. */
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
  /** kurento-utils' candidate buffering for a bare RTCPeerConnection. */
  bufferizeCandidates,
  /** kurento-utils' voice activity detection of a stream (the `hark` package). */
  hark,
  /** A peer of the mode given as first argument. */
  WebRtcPeer: GenericPeer as unknown as KurentoGenericPeerConstructor,
  /** A peer that only receives (a viewer); captures nothing. */
  WebRtcPeerRecvonly: peerConstructor('recvonly'),
  /** A peer that only sends (a presenter). */
  WebRtcPeerSendonly: peerConstructor('sendonly'),
  /** A peer that sends and receives (a call). */
  WebRtcPeerSendrecv: peerConstructor('sendrecv'),
};
