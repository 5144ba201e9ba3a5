import { attachPeer, type PeerSignaling, SignalingClient } from '@medley/signaling';
import { type PeerStats, WebRtcPeer } from '@medley/webrtc-peer';
import { onBeforeUnmount, type Ref, ref, shallowRef } from 'vue';
import type { OneToManyProtocol } from '../../protocol/OneToManyProtocol.js';
import type { SignalingStatus } from '../../public/demo-page.js';
import { watchSignaling } from './watchSignaling.js';

export type ViewerState = 'idle' | 'starting' | 'watching' | 'ended' | 'stopped' | 'failed';

/**
 * A viewer of the one-to-many demo as a Vue composable: a recvonly WebRtcPeer on the
 * `/one2many` namespace, the live viewer count, the connection and stats, and the presenter's
 * end of the broadcast in words. Released when the component unmounts.
 */
export function useOneToManyViewer(video: Ref<HTMLVideoElement | undefined>) {
  const state = ref<ViewerState>('idle');
  const viewers = ref<number>();
  const message = ref<string>();
  const signaling = ref<SignalingStatus>();
  const connectionState = ref<RTCPeerConnectionState>();
  const stats = shallowRef<PeerStats>();
  let session:
    | {
        client: SignalingClient<OneToManyProtocol>;
        peer: WebRtcPeer;
        link: PeerSignaling;
        statsTimer: ReturnType<typeof setInterval>;
      }
    | undefined;

  function leave(next: ViewerState, tellServer: boolean): void {
    const current = session;
    session = undefined;
    viewers.value = undefined;
    signaling.value = undefined;
    connectionState.value = undefined;
    stats.value = undefined;
    state.value = next;
    if (!current) return;
    clearInterval(current.statsTimer);
    current.link.detach();
    current.peer.dispose();
    const leaving = tellServer
      ? current.client.request('one2many.stop', {}).catch(() => undefined)
      : Promise.resolve();
    void leaving.finally(() => current.client.close());
  }

  async function watch(): Promise<void> {
    const client = await SignalingClient.connect<OneToManyProtocol>(
      `${window.location.origin}/one2many`,
    );
    watchSignaling(client, signaling);
    const peer = new WebRtcPeer({ mode: 'recvonly', remoteVideo: video.value });
    connectionState.value = peer.peerConnection?.connectionState ?? 'new';
    const link = attachPeer(client, peer, { peerId: 'viewer' });
    const statsTimer = setInterval(() => {
      peer.getStats().then(
        (next) => {
          stats.value = next;
        },
        () => undefined,
      );
    }, 1000);
    session = { client, peer, link, statsTimer };
    client.on('one2many.viewers', ({ count }) => {
      viewers.value = count;
    });
    client.on('one2many.ended', ({ message: why }) => {
      message.value = why;
      leave('ended', false);
    });
    peer.on('connectionstatechange', (next) => {
      connectionState.value = next;
      if (next === 'connected') state.value = 'watching';
    });
    peer.on('error', (failure) => {
      message.value = demoPage.explain(failure, 'View');
    });
    await link.offer();
  }

  function start(): void {
    if (session) return;
    message.value = undefined;
    state.value = 'starting';
    watch().catch((failure: unknown) => {
      // A rejection (no presenter yet) comes with a message meant for a person.
      message.value = demoPage.explain(failure, 'View');
      leave('failed', false);
    });
  }

  onBeforeUnmount(() => leave('stopped', true));

  return {
    state,
    viewers,
    message,
    signaling,
    connectionState,
    stats,
    start,
    stop: () => leave('stopped', true),
  };
}
