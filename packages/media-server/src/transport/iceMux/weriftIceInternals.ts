import type { Socket, SocketType } from 'node:dgram';
import type { AddressInfo } from 'node:net';
import type { RTCPeerConnection, StunProtocol } from 'werift';

/** An address as werift's ICE passes it: `[host, port]`. */
export type IceAddress = [string, number];

/**
 * The transport werift's StunProtocol reads and writes through (its `UdpTransport`, or the ICE
 * UDP mux's stand-in for it). DirectRtpSender reads `socket` for the descriptor it sends on.
 * Checked against werift 0.24.
 */
export interface StunProtocolTransport {
  readonly type: 'udp';
  readonly socketType: SocketType;
  readonly socket: Socket;
  readonly address: AddressInfo;
  closed: boolean;
  onData: (data: Buffer, address: IceAddress) => void;
  send: (data: Buffer, address?: IceAddress) => Promise<void>;
  close: () => Promise<void>;
}

/** The parts of werift's ICE agent (`Connection`, private in its typings) the mux hooks. */
export interface IceConnectionInternals {
  /** The current local ufrag (4 hex digits: agents of one server can share one); a restart draws a new one. */
  readonly localUsername: string;
  /** The peer's ufrag once its description was applied; empty before. */
  readonly remoteUsername: string;
  /** Subscribes the agent to a protocol it made, just before `connectionMade` binds it. */
  ensureProtocol(protocol: unknown): void;
  /** An ICE restart: new credentials, candidates and checks, on the same protocols. */
  restart(): Promise<void>;
}

/** werift's StunProtocol with the fields typed as the mux uses them. */
export interface StunProtocolInternals {
  transport: StunProtocolTransport;
  connectionMade: (
    useIpv4: boolean,
    portRange?: [number, number],
    interfaceAddresses?: unknown,
  ) => Promise<void>;
  datagramReceived(data: Buffer, address: IceAddress): void;
}

export function stunProtocolInternals(protocol: StunProtocol): StunProtocolInternals {
  return protocol as unknown as StunProtocolInternals;
}

/** The ICE agents of a peer connection (one with max-bundle; one per m-line without). */
export function iceConnectionsOf(peerConnection: RTCPeerConnection): IceConnectionInternals[] {
  return peerConnection.iceTransports.map(
    (iceTransport) => iceTransport.connection as unknown as IceConnectionInternals,
  );
}
