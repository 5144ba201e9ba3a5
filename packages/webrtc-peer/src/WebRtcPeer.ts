import 'webrtc-adapter';
import { CandidateQueue } from './CandidateQueue.js';
import { preferCodecs } from './codecs.js';
import {
  type DataChannelPayload,
  defaultBufferedAmountLowThreshold,
  sendWithBackpressure,
} from './dataChannel.js';
import { bestLayer, capEncodings, defaultSimulcastEncodings } from './encodings.js';
import { invalidState, negotiationFailed, WebRtcPeerError } from './errors.js';
import { attachStream, captureMedia, detachStream, type SendSource } from './media.js';
import { parseRemoteSdp } from './sdp.js';
import { type PeerStats, type StatsBaseline, summarizeStats } from './stats.js';
import { TypedEventEmitter } from './TypedEventEmitter.js';

/**
 * Which way media flows: `sendrecv` for a call or a loopback, `sendonly` for a presenter or a
 * recording, `recvonly` for a viewer or a playback (it captures nothing).
 */
export type WebRtcPeerMode = 'sendonly' | 'recvonly' | 'sendrecv';
/** A kind of media track, as in `MediaStreamTrack.kind`. */
export type MediaKind = 'audio' | 'video';

/** How the peer opens its data channel (the `dataChannel` option). */
export interface DataChannelOptions {
  /** Default `'medley'`. */
  label?: string;
  /** E.g. `{ ordered: false, maxRetransmits: 0 }` for data that is useless when late. */
  init?: RTCDataChannelInit;
  /** `send()` resolves once no more than this many bytes wait in the buffer. Default 256 KiB. */
  bufferedAmountLowThreshold?: number;
}

/** What `new WebRtcPeer(options)` creates: only `mode` is required. */
export interface WebRtcPeerOptions {
  /** Which way media flows; it decides whether media is captured and what the offer asks for. */
  mode: WebRtcPeerMode;
  /**
   * What to capture when no stream is given; default `{ audio: true, video: { width: 640,
   * frameRate: 15 } }`. In recvonly mode, `audio: false` or `video: false` leaves that kind out of
   * the offer.
   */
  mediaConstraints?: MediaStreamConstraints;
  /** Tracks to send instead of capturing; they stay the caller's: `dispose()` leaves them live. */
  videoStream?: MediaStream;
  /** Audio tracks to send instead of capturing; like `videoStream`, they stay the caller's. */
  audioStream?: MediaStream;
  /** `'screen'` captures with getDisplayMedia (and the screen's audio when offered). */
  sendSource?: SendSource;
  /** Shows the local stream (muted, so the user does not hear themselves). */
  localVideo?: HTMLVideoElement;
  /** Plays the remote stream as its tracks arrive. */
  remoteVideo?: HTMLMediaElement;
  /** Passed to RTCPeerConnection. No ICE server is used unless given here: no public STUN. */
  configuration?: RTCConfiguration;
  /** A connection to use instead of creating one (then `configuration` is unused). */
  peerConnection?: RTCPeerConnection;
  /** Opens a data channel with the offer; a peer without one adopts the remote side's. */
  dataChannel?: boolean | DataChannelOptions;
  /**
   * Sends video as simulcast layers (`true`: quarter, half and full resolution). Applies when this
   * peer makes the offer; set through `sendEncodings`, without SDP munging.
   */
  simulcast?: boolean | RTCRtpEncodingParameters[];
  /** Codec names in order of preference, e.g. `['VP8']` or `['video/H264']`; others follow. */
  videoCodecs?: string[];
  /** Audio codec names in order of preference, e.g. `['opus']`; others follow. */
  audioCodecs?: string[];
  /** Bits per second, applied to every encoding once negotiated (see `setMaxBitrate`). */
  maxVideoBitrate?: number;
  /** Bits per second for the audio sender, applied like `maxVideoBitrate`. */
  maxAudioBitrate?: number;
}

/** A message received on the data channel (the `datachannelmessage` event). */
export interface DataChannelMessage {
  /** Text, or binary as an ArrayBuffer (the channel's `binaryType` is `arraybuffer`). */
  data: string | ArrayBuffer;
  /** The channel it arrived on. */
  channel: RTCDataChannel;
}

/** A track received from the remote side (the `track` event). */
export interface RemoteTrack {
  /** The track that arrived. */
  track: MediaStreamTrack;
  /** The peer's remote stream, which now holds the track (the one `getRemoteStream()` returns). */
  stream: MediaStream;
}

/**
 * The events of a {@link WebRtcPeer}, by name, with the value their listeners receive
 * (`undefined`: none).
 */
export interface WebRtcPeerEvents {
  /** A local candidate to send to the remote side. Kept until the first listener subscribes. */
  icecandidate: RTCIceCandidate;
  /** Candidate gathering finished (sent as end-of-candidates by most signaling protocols). */
  icegatheringdone: undefined;
  /** The RTCPeerConnection's `connectionState` changed (`connected`, `disconnected`, `failed`...). */
  connectionstatechange: RTCPeerConnectionState;
  /** The RTCPeerConnection's `iceConnectionState` changed. */
  iceconnectionstatechange: RTCIceConnectionState;
  /** A remote track arrived; it is in the remote stream and plays in `remoteVideo`. */
  track: RemoteTrack;
  /** The data channel opened: `send()` works from now on. */
  datachannelopen: RTCDataChannel;
  /** The data channel closed (either side closed it, or the connection ended). */
  datachannelclose: RTCDataChannel;
  /** A message arrived on the data channel. */
  datachannelmessage: DataChannelMessage;
  /** The data channel's buffer drained below its `bufferedAmountLowThreshold`. */
  datachannelbufferedamountlow: RTCDataChannel;
  /** The data channel failed (code `DATA_CHANNEL_FAILED`). */
  datachannelerror: WebRtcPeerError;
  /** Failures that no pending call can report, such as ICE failing mid-session. */
  error: WebRtcPeerError;
}

/** What {@link WebRtcPeer.getStats} returns: the summary, and the browser's report it summarises. */
export type WebRtcPeerStats = PeerStats & {
  /** The browser's full RTCStatsReport, for what the summary leaves out. */
  report: RTCStatsReport;
};

/**
 * One side of a WebRTC session: captures media, negotiates with a remote peer or media server
 * through offer/answer and trickle ICE, and cleans up after itself.
 */
export class WebRtcPeer extends TypedEventEmitter<WebRtcPeerEvents> {
  /** Which way media flows, as given in the options. */
  readonly mode: WebRtcPeerMode;
  /** The connection underneath, created by the peer or given as `peerConnection`. */
  readonly peerConnection: RTCPeerConnection;

  readonly #options: WebRtcPeerOptions;
  readonly #remoteCandidates: CandidateQueue<RTCIceCandidateInit | undefined>;
  readonly #remoteStream = new MediaStream();
  readonly #ownTracks = new Set<MediaStreamTrack>();
  /** The sendEncodings of simulcast senders, as far as the remote side accepted them. */
  readonly #simulcastLayers = new Map<RTCRtpSender, RTCRtpEncodingParameters[]>();
  readonly #maxBitrates: Partial<Record<MediaKind, number>>;
  #localStream: MediaStream | undefined;
  #started: Promise<void> | undefined;
  #receiversAdded = false;
  #dataChannel: RTCDataChannel | undefined;
  #statsBaseline: StatsBaseline | undefined;
  /** setParameters() calls on one sender must not overlap (each needs the latest transaction). */
  #senderUpdates: Promise<unknown> = Promise.resolve();
  #disposed = false;

  /**
   * Creates the RTCPeerConnection (and the data channel, when asked for); captures nothing yet:
   * media is captured by `start()`, `generateOffer()` or `processOffer()`.
   */
  constructor(options: WebRtcPeerOptions) {
    super(['icecandidate', 'icegatheringdone']);
    this.mode = options.mode;
    this.#options = options;
    this.#maxBitrates = { audio: options.maxAudioBitrate, video: options.maxVideoBitrate };
    this.peerConnection =
      options.peerConnection ?? new RTCPeerConnection({ iceServers: [], ...options.configuration });
    this.#remoteCandidates = new CandidateQueue((candidate) =>
      this.peerConnection.addIceCandidate(candidate),
    );
    this.#listenToPeerConnection();
    if (options.dataChannel) {
      const { label = 'medley', init } = options.dataChannel === true ? {} : options.dataChannel;
      this.#adoptDataChannel(this.peerConnection.createDataChannel(label, init));
    }
  }

  /** The open or opening data channel, if any. */
  get dataChannel(): RTCDataChannel | undefined {
    return this.#dataChannel;
  }

  /** True when every audio track sent is enabled; false when muted, or when no audio is sent. */
  get audioEnabled(): boolean {
    return this.#tracksEnabled('audio');
  }

  /** Mutes or unmutes the microphone without renegotiating (a muted track sends silence). */
  set audioEnabled(enabled: boolean) {
    this.#enableTracks('audio', enabled);
  }

  /** True when every video track sent is enabled; false when turned off, or when none is sent. */
  get videoEnabled(): boolean {
    return this.#tracksEnabled('video');
  }

  /** Turns the camera off or on without renegotiating (a disabled track sends black frames). */
  set videoEnabled(enabled: boolean) {
    this.#enableTracks('video', enabled);
  }

  /** Tracks this peer sends; undefined in recvonly mode and before media was captured. */
  getLocalStream(): MediaStream | undefined {
    return this.#localStream;
  }

  /** Tracks received from the remote side so far. */
  getRemoteStream(): MediaStream {
    return this.#remoteStream;
  }

  /**
   * Captures the media to send (unless streams were given) and adds it to the connection. Called
   * by `generateOffer()` and `processOffer()`; call it earlier to ask for camera access up front.
   */
  start(): Promise<void> {
    if (this.#disposed) return Promise.reject(afterDispose('start()'));
    this.#started ??= this.#addLocalMedia().catch((error: unknown) => {
      this.#started = undefined;
      throw error;
    });
    return this.#started;
  }

  /** Creates and applies an offer; returns its SDP, to send to the remote side. */
  generateOffer(): Promise<string> {
    return this.#negotiate('generateOffer()', async (pc) => {
      this.#prepareTransceiversToOffer();
      try {
        this.#applyCodecPreferences();
        await pc.setLocalDescription(await pc.createOffer());
      } catch (error) {
        throw negotiationFailed('Creating the SDP offer', error);
      }
    });
  }

  /** Applies the remote side's answer to our offer. */
  async processAnswer(sdpAnswer: string): Promise<void> {
    this.#assertUsable('processAnswer()');
    const offer = this.peerConnection.localDescription;
    if (this.peerConnection.signalingState !== 'have-local-offer' || !offer) {
      throw invalidState(
        'processAnswer() needs a pending offer: call generateOffer() first, send its SDP, and process its answer once.',
      );
    }
    parseRemoteSdp(sdpAnswer, 'answer', offer.sdp);
    try {
      await this.peerConnection.setRemoteDescription({ type: 'answer', sdp: sdpAnswer });
    } catch (error) {
      throw negotiationFailed('Applying the SDP answer', error);
    }
    await this.#afterNegotiation();
  }

  /** Applies an offer from the remote side (e.g. a media server) and returns our answer's SDP. */
  async processOffer(sdpOffer: string): Promise<string> {
    this.#assertUsable('processOffer()');
    parseRemoteSdp(sdpOffer, 'offer');
    return this.#negotiate('processOffer()', async (pc) => {
      try {
        await pc.setRemoteDescription({ type: 'offer', sdp: sdpOffer });
      } catch (error) {
        throw negotiationFailed('Applying the SDP offer', error);
      }
      try {
        this.#prepareTransceiversToAnswer();
        this.#applyCodecPreferences();
        await pc.setLocalDescription(await pc.createAnswer());
      } catch (error) {
        // Back to the previous stable state, so that the session survives a bad offer.
        await pc.setRemoteDescription({ type: 'rollback' }).catch(() => {});
        throw negotiationFailed('Answering the SDP offer', error);
      }
      await this.#afterNegotiation();
    });
  }

  /**
   * Adds a remote ICE candidate. Candidates that arrive before the description they belong to are
   * held and applied in order once it is; the promise settles when the candidate was applied.
   * `null`, `undefined` or an empty `candidate` signal end-of-candidates.
   */
  addIceCandidate(candidate: RTCIceCandidateInit | null | undefined): Promise<void> {
    if (this.#disposed) return Promise.reject(afterDispose('addIceCandidate()'));
    const endOfCandidates = !candidate?.candidate;
    return this.#remoteCandidates
      .add(endOfCandidates ? undefined : candidate)
      .catch((error: unknown) => {
        if (error instanceof WebRtcPeerError) throw error;
        throw new WebRtcPeerError(
          'NEGOTIATION_FAILED',
          `The remote ICE candidate ${endOfCandidates ? '(end-of-candidates)' : JSON.stringify(candidate?.candidate)} was rejected (${String(error)}). Send candidates only to the session they were gathered for, with their sdpMid and sdpMLineIndex.`,
          { cause: error },
        );
      });
  }

  /** Starts an ICE restart (e.g. after a network change) and returns the offer to send. */
  async restartIce(): Promise<string> {
    this.#assertUsable('restartIce()');
    this.peerConnection.restartIce();
    return this.generateOffer();
  }

  /**
   * Sends on the data channel; resolves once the channel's buffer has room again, so that
   * `await peer.send(chunk)` in a loop paces itself to the network.
   */
  send(data: DataChannelPayload): Promise<void> {
    if (this.#disposed) return Promise.reject(afterDispose('send()'));
    if (!this.#dataChannel) {
      return Promise.reject(
        invalidState('This peer has no data channel: create it with the dataChannel option.'),
      );
    }
    return sendWithBackpressure(this.#dataChannel, data);
  }

  /** Sends `track` instead of the current track of its kind, without renegotiating. */
  async replaceTrack(track: MediaStreamTrack): Promise<void> {
    this.#assertUsable('replaceTrack()');
    const sender = this.peerConnection
      .getSenders()
      .find((candidate) => candidate.track?.kind === track.kind);
    if (!sender?.track) {
      throw invalidState(
        `This peer sends no ${track.kind} track to replace: include ${track.kind} in the media it starts with.`,
      );
    }
    const previous = sender.track;
    await sender.replaceTrack(track);
    this.#localStream?.removeTrack(previous);
    this.#localStream?.addTrack(track);
    this.#stopOwnTrack(previous);
  }

  /** Switches to another camera or microphone (a deviceId from enumerateDevices()). */
  async switchDevice(kind: MediaKind, deviceId: string): Promise<MediaStreamTrack> {
    this.#assertUsable('switchDevice()');
    const current = this.#options.mediaConstraints?.[kind];
    const constraints = {
      ...(typeof current === 'object' ? current : {}),
      deviceId: { exact: deviceId },
    };
    const stream = await captureMedia('webcam', { [kind]: constraints });
    const [track] = kind === 'audio' ? stream.getAudioTracks() : stream.getVideoTracks();
    if (!track)
      throw new WebRtcPeerError('DEVICE_NOT_FOUND', `Device ${deviceId} gave no ${kind} track.`);
    this.#ownTracks.add(track);
    try {
      await this.replaceTrack(track);
    } catch (error) {
      this.#stopOwnTrack(track);
      throw error;
    }
    return track;
  }

  /**
   * Caps the bitrate of what this peer sends of `kind` (bits per second, `undefined` lifts the
   * cap), through RTCRtpSender.setParameters, without renegotiating.
   */
  async setMaxBitrate(kind: MediaKind, maxBitrate: number | undefined): Promise<void> {
    this.#assertUsable('setMaxBitrate()');
    this.#maxBitrates[kind] = maxBitrate;
    await this.#updateSenders(() => this.#applyMaxBitrate(kind));
  }

  /**
   * Summarised statistics; bitrates cover the time since the previous call. The browser's full
   * report is in `report`.
   */
  async getStats(): Promise<WebRtcPeerStats> {
    this.#assertUsable('getStats()');
    const report = await this.peerConnection.getStats();
    const { stats, baseline } = summarizeStats(report, this.#statsBaseline);
    this.#statsBaseline = baseline;
    return { ...stats, report };
  }

  /**
   * Closes the connection and the data channel, stops the tracks this peer captured (never the
   * caller's), detaches the video elements and removes all listeners. Safe to call twice.
   */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#remoteCandidates.dispose(afterDispose('addIceCandidate()'));
    this.#dataChannel?.close();
    this.peerConnection.close();
    for (const track of this.#ownTracks) track.stop();
    this.#ownTracks.clear();
    if (this.#localStream) detachStream(this.#options.localVideo, this.#localStream);
    detachStream(this.#options.remoteVideo, this.#remoteStream);
    this.removeAllListeners();
  }

  /**
   * Runs one offer/answer step from a stable state and returns the resulting local SDP. Remote
   * candidates wait meanwhile: those trickled ahead of a new offer or answer (an ICE restart's)
   * would be checked against the previous description and rejected.
   */
  async #negotiate(
    method: string,
    step: (pc: RTCPeerConnection) => Promise<void>,
  ): Promise<string> {
    this.#assertUsable(method);
    const pc = this.peerConnection;
    this.#remoteCandidates.close();
    try {
      await this.start();
      this.#assertUsable(method);
      if (pc.signalingState !== 'stable') {
        throw invalidState(
          `${method} needs a stable connection, but it is "${pc.signalingState}": an offer is pending; complete it with processAnswer() first.`,
        );
      }
      await step(pc);
      return pc.localDescription?.sdp ?? '';
    } catch (error) {
      if (pc.signalingState === 'stable' && pc.remoteDescription)
        void this.#remoteCandidates.open();
      throw error;
    }
  }

  async #addLocalMedia(): Promise<void> {
    if (this.mode === 'recvonly') return;
    const { videoStream, audioStream, sendSource = 'webcam', mediaConstraints } = this.#options;
    let tracks: MediaStreamTrack[];
    if (videoStream || audioStream) {
      tracks = [...(videoStream?.getTracks() ?? []), ...(audioStream?.getTracks() ?? [])];
    } else {
      tracks = (await captureMedia(sendSource, mediaConstraints)).getTracks();
      for (const track of tracks) this.#ownTracks.add(track);
      if (this.#disposed) {
        for (const track of tracks) track.stop();
        throw afterDispose('start()');
      }
    }
    const stream = new MediaStream(tracks);
    this.#localStream = stream;
    for (const track of tracks) this.#addTrack(track, stream);
    if (this.#options.localVideo) attachStream(this.#options.localVideo, stream, true);
  }

  /** Simulcast needs addTransceiver; plain tracks use addTrack so that a remote offer can take them. */
  #addTrack(track: MediaStreamTrack, stream: MediaStream): void {
    const { simulcast } = this.#options;
    if (track.kind === 'video' && simulcast) {
      const sendEncodings = simulcast === true ? defaultSimulcastEncodings() : simulcast;
      const { sender } = this.peerConnection.addTransceiver(track, {
        direction: this.mode === 'sendonly' ? 'sendonly' : 'sendrecv',
        streams: [stream],
        sendEncodings,
      });
      this.#simulcastLayers.set(sender, sendEncodings);
    } else {
      this.peerConnection.addTrack(track, stream);
    }
  }

  #prepareTransceiversToOffer(): void {
    if (this.mode === 'recvonly' && !this.#receiversAdded) {
      this.#receiversAdded = true;
      const constraints = this.#options.mediaConstraints;
      for (const kind of ['audio', 'video'] as const) {
        if (constraints?.[kind] !== false) {
          this.peerConnection.addTransceiver(kind, { direction: 'recvonly' });
        }
      }
    }
    if (this.mode === 'sendonly') {
      for (const transceiver of this.#activeTransceivers()) transceiver.direction = 'sendonly';
    }
  }

  /** A remote offer decides the m= sections; our mode decides which way media flows in each. */
  #prepareTransceiversToAnswer(): void {
    for (const transceiver of this.#activeTransceivers()) {
      if (transceiver.mid === null) continue;
      const sending = transceiver.sender.track !== null;
      if (this.mode === 'recvonly') transceiver.direction = 'recvonly';
      else if (this.mode === 'sendonly') transceiver.direction = sending ? 'sendonly' : 'inactive';
      else transceiver.direction = sending ? 'sendrecv' : 'recvonly';
    }
  }

  #applyCodecPreferences(): void {
    for (const transceiver of this.#activeTransceivers()) {
      const kind = transceiver.receiver.track.kind as MediaKind;
      const preferred = kind === 'video' ? this.#options.videoCodecs : this.#options.audioCodecs;
      const codecs = RTCRtpReceiver.getCapabilities(kind)?.codecs;
      if (preferred?.length && codecs && 'setCodecPreferences' in transceiver) {
        transceiver.setCodecPreferences(preferCodecs(codecs, preferred));
      }
    }
  }

  /** Settles what depends on the negotiated session; failures here do not undo the session. */
  async #afterNegotiation(): Promise<void> {
    void this.#remoteCandidates.open();
    try {
      await this.#updateSenders(async () => {
        await this.#fitSimulcastToAnswer();
        for (const kind of ['audio', 'video'] as const) {
          if (this.#maxBitrates[kind] !== undefined) await this.#applyMaxBitrate(kind);
        }
      });
    } catch (error) {
      this.#emitError(negotiationFailed('Setting the sender encodings', error));
    }
  }

  #updateSenders(update: () => Promise<void>): Promise<void> {
    const next = this.#senderUpdates.then(update);
    this.#senderUpdates = next.catch(() => {});
    return next;
  }

  async #fitSimulcastToAnswer(): Promise<void> {
    for (const [sender, layers] of this.#simulcastLayers) {
      const parameters = sender.getParameters();
      const [kept] = parameters.encodings;
      if (layers.length <= 1 || parameters.encodings.length !== 1 || !kept) continue;
      const best = bestLayer(layers);
      this.#simulcastLayers.set(sender, [best]);
      kept.scaleResolutionDownBy = best.scaleResolutionDownBy ?? 1;
      await sender.setParameters(capEncodings(parameters, this.#maxBitrates.video, [best]));
    }
  }

  async #applyMaxBitrate(kind: MediaKind): Promise<void> {
    for (const sender of this.peerConnection.getSenders()) {
      if (sender.track?.kind !== kind) continue;
      const configured = this.#simulcastLayers.get(sender);
      await sender.setParameters(
        capEncodings(sender.getParameters(), this.#maxBitrates[kind], configured),
      );
    }
  }

  #listenToPeerConnection(): void {
    const pc = this.peerConnection;
    pc.addEventListener('icecandidate', ({ candidate }) => {
      if (!candidate) this.emit('icegatheringdone');
      else if (candidate.candidate) this.emit('icecandidate', candidate);
    });
    pc.addEventListener('iceconnectionstatechange', () => {
      this.emit('iceconnectionstatechange', pc.iceConnectionState);
      if (pc.iceConnectionState === 'failed') {
        this.#emitError(
          new WebRtcPeerError(
            'ICE_FAILED',
            'ICE found no working path to the remote side. Call restartIce() and send the new offer; behind strict NATs, add a TURN server to configuration.iceServers.',
          ),
        );
      }
    });
    pc.addEventListener('connectionstatechange', () => {
      this.emit('connectionstatechange', pc.connectionState);
    });
    pc.addEventListener('track', ({ track }) => {
      this.#remoteStream.addTrack(track);
      track.addEventListener('ended', () => this.#remoteStream.removeTrack(track));
      if (this.#options.remoteVideo) {
        attachStream(this.#options.remoteVideo, this.#remoteStream, false);
      }
      this.emit('track', { track, stream: this.#remoteStream });
    });
    // The remote side's channel becomes ours to send on unless we opened one; either way its
    // events reach the listeners (with the channel, to tell them apart).
    pc.addEventListener('datachannel', ({ channel }) => {
      if (this.#dataChannel) this.#forwardChannelEvents(channel);
      else this.#adoptDataChannel(channel);
    });
  }

  #adoptDataChannel(channel: RTCDataChannel): void {
    const options = typeof this.#options.dataChannel === 'object' ? this.#options.dataChannel : {};
    this.#dataChannel = channel;
    channel.bufferedAmountLowThreshold =
      options.bufferedAmountLowThreshold ?? defaultBufferedAmountLowThreshold;
    this.#forwardChannelEvents(channel);
  }

  #forwardChannelEvents(channel: RTCDataChannel): void {
    channel.binaryType = 'arraybuffer';
    channel.addEventListener('open', () => this.emit('datachannelopen', channel));
    channel.addEventListener('close', () => this.emit('datachannelclose', channel));
    channel.addEventListener('bufferedamountlow', () =>
      this.emit('datachannelbufferedamountlow', channel),
    );
    channel.addEventListener('message', ({ data }: MessageEvent<string | ArrayBuffer>) =>
      this.emit('datachannelmessage', { data, channel }),
    );
    channel.addEventListener('error', (event) => {
      const reason = (event as RTCErrorEvent).error?.message ?? 'unknown error';
      this.emit(
        'datachannelerror',
        new WebRtcPeerError(
          'DATA_CHANNEL_FAILED',
          `Data channel "${channel.label}" failed: ${reason}. Keep messages under the negotiated maximum size and check the remote side.`,
        ),
      );
    });
  }

  #activeTransceivers(): RTCRtpTransceiver[] {
    return this.peerConnection
      .getTransceivers()
      .filter((transceiver) => transceiver.currentDirection !== 'stopped');
  }

  #localTracks(kind: MediaKind): MediaStreamTrack[] {
    return this.#localStream?.getTracks().filter((track) => track.kind === kind) ?? [];
  }

  #tracksEnabled(kind: MediaKind): boolean {
    const tracks = this.#localTracks(kind);
    return tracks.length > 0 && tracks.every((track) => track.enabled);
  }

  #enableTracks(kind: MediaKind, enabled: boolean): void {
    for (const track of this.#localTracks(kind)) track.enabled = enabled;
  }

  #stopOwnTrack(track: MediaStreamTrack): void {
    if (this.#ownTracks.delete(track)) track.stop();
  }

  /** Nobody may be listening: the error must still reach the console, never vanish. */
  #emitError(error: WebRtcPeerError): void {
    if (this.#disposed) return;
    if (this.listenerCount('error') === 0) console.error(error);
    else this.emit('error', error);
  }

  #assertUsable(method: string): void {
    if (this.#disposed) throw afterDispose(method);
  }
}

function afterDispose(method: string): WebRtcPeerError {
  return invalidState(
    `${method} was called after dispose(): create a new WebRtcPeer for a new session.`,
  );
}
