import { attachPeer, type PeerSignaling, SignalingClient } from '@medley/signaling';
import { type PeerStats, WebRtcPeer } from '@medley/webrtc-peer';
import { type RefObject, useCallback, useEffect, useRef, useState } from 'react';
import type { LoopbackProtocol } from '../../protocol/LoopbackProtocol.js';
import type { SignalingStatus } from '../../public/demo-page.js';

export type CallState = 'idle' | 'starting' | 'connected' | 'stopped' | 'failed';

export interface LoopbackCall {
  state: CallState;
  signaling: SignalingStatus | undefined;
  connectionState: RTCPeerConnectionState | undefined;
  stats: PeerStats | undefined;
  error: string | undefined;
  start(): void;
  stop(): void;
}

/** Words for a person, from whatever went wrong (the plain pages' words, see demo-page.js). */
const explain = (error: unknown) => demoPage.explain(error, 'Start');

/**
 * The loopback call: a WebRtcPeer wired to the app server's signaling, the camera sent to the
 * media server and played back from it, with stats refreshed every second.
 */
export function useLoopbackCall(
  localVideo: RefObject<HTMLVideoElement | null>,
  remoteVideo: RefObject<HTMLVideoElement | null>,
): LoopbackCall {
  const [state, setState] = useState<CallState>('idle');
  const [signaling, setSignaling] = useState<SignalingStatus>();
  const [connectionState, setConnectionState] = useState<RTCPeerConnectionState>();
  const [stats, setStats] = useState<PeerStats>();
  const [error, setError] = useState<string>();
  const call = useRef<{
    client: SignalingClient<LoopbackProtocol>;
    peer: WebRtcPeer;
    link: PeerSignaling;
    statsTimer: ReturnType<typeof setInterval>;
  }>(undefined);

  const stop = useCallback(() => {
    const current = call.current;
    call.current = undefined;
    if (!current) return;
    clearInterval(current.statsTimer);
    current.link.detach();
    current.client.request('loopback.stop', {}).catch(() => undefined);
    current.peer.dispose();
    current.client.close();
    setState('stopped');
    setSignaling(undefined);
    setConnectionState(undefined);
  }, []);

  const start = useCallback(() => {
    if (call.current) return;
    setError(undefined);
    setStats(undefined);
    setState('starting');
    (async () => {
      const client = await SignalingClient.connect<LoopbackProtocol>(window.location.origin);
      setSignaling({ state: client.state });
      client.connection.on('reconnecting', ({ attempt }) =>
        setSignaling({ state: 'reconnecting', attempt }),
      );
      client.connection.on('disconnected', ({ reason }) => {
        if (reason !== 'closed') setSignaling({ state: 'disconnected', reason });
      });
      const peer = new WebRtcPeer({
        mode: 'sendrecv',
        localVideo: localVideo.current ?? undefined,
        remoteVideo: remoteVideo.current ?? undefined,
      });
      setConnectionState(peer.peerConnection?.connectionState ?? 'new');
      const link = attachPeer(client, peer, { peerId: 'loopback' });
      const statsTimer = setInterval(() => {
        peer.getStats().then(setStats, () => undefined);
      }, 1000);
      call.current = { client, peer, link, statsTimer };
      peer.on('connectionstatechange', (next) => {
        setConnectionState(next);
        if (next === 'connected') setState('connected');
      });
      peer.on('error', (failure) => setError(explain(failure)));
      // A new session means the server released the call while we were away: negotiate again.
      client.connection.on('connected', ({ resumed }) => {
        setSignaling({ state: 'connected' });
        if (!resumed) link.offer().catch((failure: unknown) => setError(explain(failure)));
      });
      link.on('error', (failure) => setError(explain(failure)));
      await link.offer();
    })().catch((failure: unknown) => {
      setError(explain(failure));
      stop();
      setState('failed');
    });
  }, [localVideo, remoteVideo, stop]);

  useEffect(() => stop, [stop]);

  return { state, signaling, connectionState, stats, error, start, stop };
}
