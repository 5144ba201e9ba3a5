import type { PeerSignalingProtocol } from '../peer/PeerSignalingProtocol.js';
import type { RequestType } from '../protocol.js';
import { integer, nullable, object, optional, type Schema, string } from './schema.js';

const peerId = string;
const epoch = integer;

const description = object({ peerId: peerId(), epoch: epoch(), sdp: string() });

const candidate = object({
  peerId: peerId(),
  epoch: epoch(),
  candidate: object({
    candidate: string(),
    sdpMid: optional(nullable(string())),
    sdpMLineIndex: optional(nullable(integer())),
    usernameFragment: optional(nullable(string())),
  }),
});

/** A schema for each request of {@link PeerSignalingProtocol}. */
export type PeerRequestSchemas = {
  [K in RequestType<PeerSignalingProtocol>]: Schema<
    PeerSignalingProtocol['requests'][K]['request']
  >;
};

/**
 * Schemas of the requests `attachPeer()` sends; spread them into the server's `schemas` and
 * handle 'peer:offer', 'peer:candidate' (and 'peer:answer' when the server offers).
 */
export const peerSignalingSchemas: PeerRequestSchemas = {
  'peer:offer': description,
  'peer:answer': description,
  'peer:candidate': candidate,
};
