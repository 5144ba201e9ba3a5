import { attachPeer, type PeerSignaling, SignalingClient } from '@medley/signaling';
import { WebRtcPeer } from '@medley/webrtc-peer';
import { onBeforeUnmount, type Ref, ref } from 'vue';
import type { OneToManyProtocol } from '../../protocol/OneToManyProtocol.js';

export type ViewerState = 'idle' | 'starting' | 'watching' | 'ended' | 'stopped' | 'failed';

/**
 * A viewer of the one-to-many demo as a Vue composable: a recvonly WebRtcPeer on the
 * `/one2many` namespace, the live viewer count, and the presenter's end of the broadcast in
 * words. Released when the component unmounts.
 */
export function useOneToManyViewer(video: Ref<HTMLVideoElement | undefined>) {
  const state = ref<ViewerState>('idle');
  const viewers = ref<number>();
  const message = ref<string>();
  let session:
    | { client: SignalingClient<OneToManyProtocol>; peer: WebRtcPeer; link: PeerSignaling }
    | undefined;

  function leave(next: ViewerState, tellServer: boolean): void {
    const current = session;
    session = undefined;
    viewers.value = undefined;
    state.value = next;
    if (!current) return;
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
    const peer = new WebRtcPeer({ mode: 'recvonly', remoteVideo: video.value });
    const link = attachPeer(client, peer, { peerId: 'viewer' });
    session = { client, peer, link };
    client.on('one2many.viewers', ({ count }) => {
      viewers.value = count;
    });
    client.on('one2many.ended', ({ message: why }) => {
      message.value = why;
      leave('ended', false);
    });
    peer.on('connectionstatechange', (next) => {
      if (next === 'connected') state.value = 'watching';
    });
    peer.on('error', (failure) => {
      message.value = failure.message;
    });
    await link.offer();
  }

  function start(): void {
    if (session) return;
    message.value = undefined;
    state.value = 'starting';
    watch().catch((failure: unknown) => {
      // A rejection (no presenter yet) comes with a message meant for a person.
      message.value = failure instanceof Error ? failure.message : String(failure);
      leave('failed', false);
    });
  }

  onBeforeUnmount(() => leave('stopped', true));

  return { state, viewers, message, start, stop: () => leave('stopped', true) };
}
