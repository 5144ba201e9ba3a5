import { attachPeer, type PeerSignaling, SignalingClient } from '@medley/signaling';
import { type PeerStats, WebRtcPeer } from '@medley/webrtc-peer';
import { onBeforeUnmount, type Ref, ref, shallowRef } from 'vue';
import type { LoopbackProtocol } from '../../protocol/LoopbackProtocol.js';
import type { SignalingStatus } from '../../public/demo-page.js';
import { watchSignaling } from './watchSignaling.js';

export type CallState = 'idle' | 'starting' | 'connected' | 'stopped' | 'failed';

/** Words for a person, from whatever went wrong (the plain pages' words, see demo-page.js). */
const explain = (error: unknown) => demoPage.explain(error, 'Start');

/**
 * The loopback call as a Vue composable: a WebRtcPeer wired to the app server's signaling, the
 * camera sent to the media server and played back from it, stats refreshed every second, and
 * everything released when the component unmounts.
 */
export function useLoopbackCall(
  localVideo: Ref<HTMLVideoElement | undefined>,
  remoteVideo: Ref<HTMLVideoElement | undefined>,
) {
  const state = ref<CallState>('idle');
  const signaling = ref<SignalingStatus>();
  const connectionState = ref<RTCPeerConnectionState>();
  const stats = shallowRef<PeerStats>();
  const error = ref<string>();
  let call:
    | {
        client: SignalingClient<LoopbackProtocol>;
        peer: WebRtcPeer;
        link: PeerSignaling;
        statsTimer: ReturnType<typeof setInterval>;
      }
    | undefined;

  function stop(): void {
    const current = call;
    call = undefined;
    if (!current) return;
    clearInterval(current.statsTimer);
    current.link.detach();
    current.client.request('loopback.stop', {}).catch(() => undefined);
    current.peer.dispose();
    current.client.close();
    state.value = 'stopped';
    signaling.value = undefined;
    connectionState.value = undefined;
  }

  async function connect(): Promise<void> {
    const client = await SignalingClient.connect<LoopbackProtocol>(window.location.origin);
    watchSignaling(client, signaling);
    const peer = new WebRtcPeer({
      mode: 'sendrecv',
      localVideo: localVideo.value,
      remoteVideo: remoteVideo.value,
    });
    connectionState.value = peer.peerConnection?.connectionState ?? 'new';
    const link = attachPeer(client, peer, { peerId: 'loopback' });
    const statsTimer = setInterval(() => {
      peer.getStats().then(
        (next) => {
          stats.value = next;
        },
        () => undefined,
      );
    }, 1000);
    call = { client, peer, link, statsTimer };
    peer.on('connectionstatechange', (next) => {
      connectionState.value = next;
      if (next === 'connected') state.value = 'connected';
    });
    peer.on('error', (failure) => {
      error.value = explain(failure);
    });
    // A new session means the server released the call while we were away: negotiate again.
    client.connection.on('connected', ({ resumed }) => {
      if (!resumed)
        link.offer().catch((failure: unknown) => {
          error.value = explain(failure);
        });
    });
    link.on('error', (failure) => {
      error.value = explain(failure);
    });
    await link.offer();
  }

  function start(): void {
    if (call) return;
    error.value = undefined;
    stats.value = undefined;
    state.value = 'starting';
    connect().catch((failure: unknown) => {
      error.value = explain(failure);
      stop();
      state.value = 'failed';
    });
  }

  onBeforeUnmount(stop);

  return { state, signaling, connectionState, stats, error, start, stop };
}
