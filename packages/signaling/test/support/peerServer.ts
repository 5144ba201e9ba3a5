import type { Session } from '../../src/server/index.js';
import {
  NegotiationEpoch,
  type PeerSignalingProtocol,
  peerSignalingSchemas,
  SignalingServer,
} from '../../src/server/index.js';
import { startHttpServer } from './server.js';
import { WeriftPeer } from './WeriftPeer.js';

export interface ServerPeer {
  readonly epoch: NegotiationEpoch;
  readonly peer: WeriftPeer;
  session: Session<PeerSignalingProtocol>;
}

export interface PeerTestServer {
  url: string;
  signaling: SignalingServer<PeerSignalingProtocol>;
  peers: Map<string, ServerPeer>;
  /** Lets the test hold the answer to the offer of a given epoch. */
  beforeAnswer: (epoch: number) => Promise<void>;
  close(): Promise<void>;
}

/**
 * What an application server writes to answer `attachPeer()`: one werift peer per client peer,
 * its candidates pushed with the epoch of the offer they answer, stale client messages dropped.
 * Its data channels echo what they receive. `beforeAnswer` lets a test hold an answer.
 */
export function handlePeers(
  signaling: SignalingServer<PeerSignalingProtocol>,
  beforeAnswer: (epoch: number) => Promise<void> = async () => {},
): Map<string, ServerPeer> {
  const peers = new Map<string, ServerPeer>();
  const peerOf = (session: Session<PeerSignalingProtocol>, peerId: string): ServerPeer => {
    const key = `${session.id}/${peerId}`;
    let entry = peers.get(key);
    if (!entry) {
      const peer = new WeriftPeer();
      const created: ServerPeer = { epoch: new NegotiationEpoch(), peer, session };
      peer.on('icecandidate', (candidate) =>
        created.session.emit('peer:candidate', {
          peerId,
          epoch: created.epoch.current,
          candidate,
        }),
      );
      peer.connection.onDataChannel.subscribe((channel) => {
        channel.onMessage.subscribe((message) => channel.send(`echo: ${message}`));
      });
      peers.set(key, created);
      entry = created;
    }
    entry.session = session;
    return entry;
  };

  signaling
    .handle('peer:offer', async ({ peerId, epoch, sdp }, session) => {
      const entry = peerOf(session, peerId);
      if (!entry.epoch.adopt(epoch)) throw new Error(`offer ${epoch} is stale`);
      const answer = await entry.peer.processOffer(sdp);
      await beforeAnswer(epoch);
      return { sdp: answer };
    })
    .handle('peer:candidate', async ({ peerId, epoch, candidate }, session) => {
      const entry = peerOf(session, peerId);
      if (!entry.epoch.isCurrent(epoch)) return;
      await entry.peer.addIceCandidate(candidate);
    });
  return peers;
}

export async function startPeerTestServer(): Promise<PeerTestServer> {
  const { httpServer, url } = await startHttpServer();
  const signaling = new SignalingServer<PeerSignalingProtocol>({
    httpServer,
    schemas: peerSignalingSchemas,
  });
  const server: PeerTestServer = {
    url,
    signaling,
    peers: handlePeers(signaling, (epoch) => server.beforeAnswer(epoch)),
    beforeAnswer: async () => {},
    async close() {
      await signaling.close();
      await Promise.all([...server.peers.values()].map(({ peer }) => peer.close()));
    },
  };
  return server;
}
