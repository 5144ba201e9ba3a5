import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { type RTCPeerConnection, StunProtocol } from 'werift';
import { WebRtcTransportError } from '../errors.js';
import { MuxedUdpTransport, type MuxRoutes } from './MuxedUdpTransport.js';
import { type BindingRequestUfrags, bindingRequestUfrags, isStun } from './stunUsername.js';
import {
  type IceAddress,
  type IceConnectionInternals,
  iceConnectionsOf,
  stunProtocolInternals,
} from './weriftIceInternals.js';

/** Where an {@link IceUdpMux} listens. */
export interface IceUdpMuxOptions {
  /** The one UDP port every WebRtcEndpoint's ICE uses (host candidates announce it); 0 picks one. */
  readonly port: number;
  /** Local address to bind; default `0.0.0.0`, every IPv4 interface. */
  readonly address?: string;
  /**
   * Socket receive buffer in bytes: every peer's STUN, DTLS, RTCP and media arrive on this one
   * socket. Default 4 MiB (the kernel caps it at net.core.rmem_max).
   */
  readonly receiveBufferBytes?: number;
}

/** What the mux has routed and refused, for metrics and tests. */
export interface IceUdpMuxCounters {
  /** Remote addresses routed to an ICE agent now. */
  readonly routes: number;
  /** ICE agents attached to the socket now. */
  readonly transports: number;
  /** Datagrams from a source no agent knows, dropped (no STUN request for a known ufrag). */
  readonly droppedFromUnknownSources: number;
}

const DEFAULT_RECEIVE_BUFFER_BYTES = 4 * 1024 * 1024;

/**
 * One UDP socket for the ICE of every WebRtcEndpoint (as mediasoup's WebRtcServer or LiveKit's
 * single port): werift binds a socket per peer connection, this gives each of its ICE agents a
 * stand-in transport on the shared socket instead. A source is routed by the local ufrag of its
 * first STUN Binding request (or by being the address an agent sent STUN to); from then on its
 * address alone routes everything: STUN, DTLS, SRTP and SRTCP. Datagrams of unknown sources are
 * dropped and counted. Routes go when the agent closes or restarts ICE.
 *
 * IPv4 only: an agent's IPv6 host candidates keep werift's own sockets.
 */
export class IceUdpMux implements MuxRoutes {
  readonly socket: Socket;
  readonly #byAddress = new Map<string, MuxedUdpTransport>();
  readonly #transports = new Set<MuxedUdpTransport>();
  /**
   * Local ufrag → transports, rebuilt from the agents when one was added or restarted. werift's
   * ufrags are 4 hex digits: among 300 agents two share one about every other time, so several
   * transports can hold a ufrag (the peer's ufrag then tells them apart).
   */
  #byUfrag = new Map<string, MuxedUdpTransport[]>();
  #ufragsStale = false;
  readonly #attached = new WeakSet<IceConnectionInternals>();
  #dropped = 0;
  #closed = false;

  /**
   * Binds the mux socket.
   * @throws WebRtcTransportError INVALID_OPTIONS when the port is taken or invalid.
   */
  static async bind(options: IceUdpMuxOptions): Promise<IceUdpMux> {
    const { port } = options;
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      throw new WebRtcTransportError(
        'INVALID_OPTIONS',
        `The ICE UDP port must be 0-65535 (0: any free one), got ${port}.`,
      );
    }
    const socket = createSocket({ type: 'udp4', reuseAddr: false });
    await new Promise<void>((resolve, reject) => {
      socket.once('error', (error) =>
        reject(
          new WebRtcTransportError(
            'INVALID_OPTIONS',
            `Cannot bind the ICE UDP port ${port} (${error.message}): choose a free port.`,
            { cause: error },
          ),
        ),
      );
      socket.bind({ port, address: options.address ?? '0.0.0.0' }, () => resolve());
    });
    try {
      socket.setRecvBufferSize(options.receiveBufferBytes ?? DEFAULT_RECEIVE_BUFFER_BYTES);
      socket.setSendBufferSize(options.receiveBufferBytes ?? DEFAULT_RECEIVE_BUFFER_BYTES);
    } catch {
      // The kernel keeps its default; the mux works, with less room for bursts.
    }
    return new IceUdpMux(socket);
  }

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.removeAllListeners('error');
    socket.on('error', () => {}); // ICMP errors of one peer must not close everyone's socket.
    socket.on('message', (data, source) => this.#receive(data, source));
  }

  /** The bound port (what host candidates announce). */
  get port(): number {
    return this.socket.address().port;
  }

  get counters(): IceUdpMuxCounters {
    return {
      routes: this.#byAddress.size,
      transports: this.#transports.size,
      droppedFromUnknownSources: this.#dropped,
    };
  }

  /**
   * Makes the ICE agents of `peerConnection` use the mux for their IPv4 host candidates. Call
   * before `setLocalDescription` (which gathers); calling again is harmless.
   */
  attach(peerConnection: RTCPeerConnection): void {
    if (this.#closed) return;
    for (const connection of iceConnectionsOf(peerConnection)) this.#attachConnection(connection);
  }

  /** Closes the socket; the agents still attached see their transport closed. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const transport of this.#transports) transport.closed = true;
    this.#transports.clear();
    this.#byAddress.clear();
    this.#byUfrag.clear();
    await new Promise<void>((resolve) => this.socket.close(() => resolve()));
  }

  claim([address, port]: IceAddress, transport: MuxedUdpTransport): void {
    const key = `${address}:${port}`;
    const routed = this.#byAddress.get(key);
    if (routed === transport || (routed !== undefined && !routed.closed)) return;
    this.#byAddress.set(key, transport);
  }

  forget(transport: MuxedUdpTransport): void {
    this.#transports.delete(transport);
    this.#forgetRoutesOf((routed) => routed === transport);
    this.#ufragsStale = true;
  }

  #attachConnection(connection: IceConnectionInternals): void {
    if (this.#attached.has(connection)) return;
    this.#attached.add(connection);
    const ensureProtocol = connection.ensureProtocol.bind(connection);
    connection.ensureProtocol = (protocol: unknown) => {
      ensureProtocol(protocol);
      if (protocol instanceof StunProtocol) this.#adopt(protocol, connection);
    };
    const restart = connection.restart.bind(connection);
    connection.restart = () => {
      const restarted = restart();
      // New ufrag: the peer's next checks find the agent again by it, from whatever address.
      this.#forgetRoutesOf((routed) => routed.connection === connection);
      this.#ufragsStale = true;
      return restarted;
    };
  }

  /** Replaces the socket werift's protocol would bind (IPv4) by a transport on the mux. */
  #adopt(protocol: StunProtocol, connection: IceConnectionInternals): void {
    const internals = stunProtocolInternals(protocol);
    const bindOwnSocket = internals.connectionMade;
    internals.connectionMade = async (useIpv4, portRange, interfaceAddresses) => {
      if (!useIpv4 || this.#closed) {
        return bindOwnSocket(useIpv4, portRange, interfaceAddresses);
      }
      const transport = new MuxedUdpTransport(this, connection);
      transport.onData = (data, source) => internals.datagramReceived(data, source);
      internals.transport = transport;
      this.#transports.add(transport);
      this.#ufragsStale = true;
    };
  }

  #receive(data: Buffer, source: RemoteInfo): void {
    const key = `${source.address}:${source.port}`;
    let transport = this.#byAddress.get(key);
    if (transport === undefined || isStun(data)) {
      // A Binding request names its agent: the first one routes a new source, and a later one
      // for another agent moves it (a port the peer reused for a new connection).
      const ufrags = bindingRequestUfrags(data);
      const named = ufrags === undefined ? undefined : this.#transportOfUfrags(ufrags);
      if (named !== undefined && named !== transport) {
        transport = named;
        this.#byAddress.set(key, named);
      }
    }
    if (transport === undefined || transport.closed) {
      this.#dropped++;
      return;
    }
    transport.deliver(data, [source.address, source.port]);
  }

  /**
   * The agent a Binding request is for. When agents share its local ufrag, the one that knows
   * the sender's ufrag; none while none does yet (the peer checks again).
   */
  #transportOfUfrags({ local, remote }: BindingRequestUfrags): MuxedUdpTransport | undefined {
    if (this.#ufragsStale) {
      const byUfrag = new Map<string, MuxedUdpTransport[]>();
      for (const transport of this.#transports) {
        const own = transport.connection.localUsername;
        const sharing = byUfrag.get(own);
        if (sharing === undefined) byUfrag.set(own, [transport]);
        else if (!sharing.some((other) => other.connection === transport.connection)) {
          sharing.push(transport);
        }
      }
      this.#byUfrag = byUfrag;
      this.#ufragsStale = false;
    }
    const named = this.#byUfrag.get(local);
    if (named === undefined) return undefined;
    if (named.length === 1) return named[0];
    return named.find((transport) => transport.connection.remoteUsername === remote);
  }

  #forgetRoutesOf(matches: (transport: MuxedUdpTransport) => boolean): void {
    for (const [key, routed] of this.#byAddress) {
      if (matches(routed)) this.#byAddress.delete(key);
    }
  }
}
