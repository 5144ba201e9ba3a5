import type { RTCDtlsTransport, RTCPeerConnection } from 'werift';
import { guarded } from '../graph/listenerFailure.js';
import { MediaFlowMeter } from '../graph/MediaFlowMeter.js';
import type {
  ConnectionState,
  IceCandidatePair,
  IceComponentState,
  MediaState,
  WebRtcTransportEvents,
} from './types.js';

/** Kurento reports MediaState DISCONNECTED after this long without RTCP from the peer. */
const MEDIA_STATE_TIMEOUT_MS = 5000;

type WeriftIceState = RTCPeerConnection['iceConnectionState'];

/**
 * werift's ICE states as Kurento's IceComponentState. werift reports `completed` when it has
 * gathered its candidates, before any check, so READY is reported when DTLS is up instead.
 */
const ICE_COMPONENT_STATES: Partial<Record<WeriftIceState, IceComponentState>> = {
  checking: 'CONNECTING',
  connected: 'CONNECTED',
  failed: 'FAILED',
  disconnected: 'DISCONNECTED',
};

type Emit = <E extends keyof WebRtcTransportEvents & string>(
  event: E,
  ...args: WebRtcTransportEvents[E]
) => void;

/**
 * Follows a werift peer connection and reports it in Kurento's terms, each change once:
 * IceComponentState, the selected candidate pair, ConnectionState (ICE + DTLS) and MediaState
 * (RTCP arriving from the peer).
 */
export class ConnectionStates {
  #connection: ConnectionState = 'DISCONNECTED';
  #media: MediaState = 'DISCONNECTED';
  #iceComponent: IceComponentState | undefined;
  readonly #rtcpFlow: MediaFlowMeter;
  readonly #peerConnection: RTCPeerConnection;
  readonly #emit: Emit;

  /** `onConnected` runs each time the peer becomes reachable (ICE and DTLS up). */
  constructor(peerConnection: RTCPeerConnection, emit: Emit, onConnected: () => void) {
    this.#peerConnection = peerConnection;
    this.#emit = emit;
    this.#rtcpFlow = new MediaFlowMeter(MEDIA_STATE_TIMEOUT_MS, (state) =>
      this.#setMedia(state === 'FLOWING' ? 'CONNECTED' : 'DISCONNECTED'),
    );
    // werift calls subscribers inline from socket and timer callbacks without catching.
    peerConnection.iceGatheringStateChange.subscribe(
      guarded('icecomponentstatechange listener', (state) => {
        if (state === 'gathering') this.#setIceComponent('GATHERING');
      }),
    );
    peerConnection.iceConnectionStateChange.subscribe(
      guarded('ICE state listener', (state) => {
        const mapped = ICE_COMPONENT_STATES[state];
        if (mapped) this.#setIceComponent(mapped);
        if (state === 'connected') this.#announceSelectedPairs();
      }),
    );
    peerConnection.connectionStateChange.subscribe(
      guarded('connectionstatechange listener', (state) => {
        if (state === 'connected') {
          this.#setIceComponent('READY');
          this.#setConnection('CONNECTED');
          onConnected();
        } else if (state === 'disconnected' || state === 'failed' || state === 'closed') {
          this.#setConnection('DISCONNECTED');
        }
      }),
    );
  }

  get connection(): ConnectionState {
    return this.#connection;
  }

  get media(): MediaState {
    return this.#media;
  }

  /**
   * werift leaves its connection state at `connected` when the peer ends DTLS (a browser closing
   * its RTCPeerConnection sends close_notify), so each DTLS transport is followed too.
   */
  watchDtlsTransport(dtlsTransport: RTCDtlsTransport): void {
    dtlsTransport.onStateChange.subscribe(
      guarded('DTLS state listener', (state) => {
        if (state === 'closed' || state === 'failed') this.#setConnection('DISCONNECTED');
      }),
    );
  }

  /** Counts an RTCP packet from the peer (MediaState). */
  rtcpReceived(): void {
    this.#rtcpFlow.count();
  }

  /** Reports everything DISCONNECTED, once, as the transport closes. */
  close(): void {
    this.#rtcpFlow.stop();
    this.#setConnection('DISCONNECTED');
    this.#setMedia('DISCONNECTED');
  }

  #announceSelectedPairs(): void {
    for (const [index, iceTransport] of this.#peerConnection.iceTransports.entries()) {
      const pair = iceTransport.getSelectedCandidatePair();
      if (!pair) continue;
      const selected: IceCandidatePair = {
        streamId: String(index + 1),
        componentId: 1,
        localCandidate: withCandidatePrefix(pair.local.candidate),
        remoteCandidate: withCandidatePrefix(pair.remote.candidate),
      };
      this.#emit('newcandidatepairselected', selected);
    }
  }

  #setIceComponent(state: IceComponentState): void {
    if (state === this.#iceComponent) return;
    this.#iceComponent = state;
    this.#emit('icecomponentstatechange', { state, streamId: 1, componentId: 1 });
  }

  #setConnection(state: ConnectionState): void {
    if (state === this.#connection) return;
    const oldState = this.#connection;
    this.#connection = state;
    this.#emit('connectionstatechange', { oldState, newState: state });
  }

  #setMedia(state: MediaState): void {
    if (state === this.#media) return;
    const oldState = this.#media;
    this.#media = state;
    this.#emit('mediastatechange', { oldState, newState: state });
  }
}

function withCandidatePrefix(candidate: string): string {
  return candidate.startsWith('candidate:') ? candidate : `candidate:${candidate}`;
}
