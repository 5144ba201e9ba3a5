import type { Logger } from '../logger.js';
import type { HttpHostPolicy } from '../playback/HttpHostPolicy.js';
import type { ProcessingPlane } from '../processing/ProcessingPlane.js';
import type { HttpEndpointRoutes } from '../server/HttpEndpointRoutes.js';
import type { IceUdpMux, NativeSrtpBinding, SrtpWorkerPool } from '../transport/index.js';
import type { ObjectRegistry } from './ObjectRegistry.js';

/**
 * ICE settings every new WebRtcEndpoint starts with. Names follow Kurento's
 * WebRtcEndpoint.conf.ini; each endpoint can change its own copy through its properties.
 */
export interface IceSettings {
  /** UDP ports to bind ICE sockets in, inclusive; absent lets the OS pick. */
  readonly portRange:
    | {
        /** The lowest port. */
        readonly min: number;
        /** The highest port. */
        readonly max: number;
      }
    | undefined;
  /** The one UDP port of every endpoint's ICE (IPv4 host candidates), when the server has one. */
  readonly udpPort?: number | undefined;
  /** Extra local addresses to gather host candidates on (werift skips loopback otherwise). */
  readonly hostAddresses: readonly string[];
  /** Public addresses announced instead of the host addresses (server behind a 1:1 NAT). */
  readonly externalIPv4: string | undefined;
  /** The same, for IPv6. */
  readonly externalIPv6: string | undefined;
  /**
   * The STUN server's address (host name or IP); undefined: no STUN, no server-reflexive
   * candidates.
   */
  readonly stunServerAddress: string | undefined;
  /** The STUN server's UDP port. */
  readonly stunServerPort: number | undefined;
  /** `user:password@host:port[?transport=udp|tcp]`, as Kurento writes it. */
  readonly turnUrl: string | undefined;
}

/** Where RecorderEndpoint and PlayerEndpoint files live. */
export interface MediaSettings {
  /** Absolute path of the directory every recorder and player URI must resolve into. */
  readonly root: string;
  /** Whether a PlayerEndpoint may fetch http(s) URIs. */
  readonly allowHttpPlayback: boolean;
  /** Whether a RecorderEndpoint may upload to http(s) URIs. */
  readonly allowHttpRecording: boolean;
  /**
   * Which hosts it may fetch them from (public ones, and the internal ones named).
   * @internal
   */
  readonly httpHosts: HttpHostPolicy;
}

/** What media objects need from the server that hosts them. */
export interface ServerContext {
  /**
   * Every live object by id; objects add and remove themselves (create, release).
   * @internal
   */
  readonly registry: ObjectRegistry;
  /** The server's logger. */
  readonly logger: Logger;
  /** The ICE settings new WebRtcEndpoints start with. */
  readonly ice: IceSettings;
  /** Where recorders and players may read and write, and what players may fetch. */
  readonly media: MediaSettings;
  /**
   * Worker threads that encrypt outgoing media, when the server was started with some.
   * @internal
   */
  readonly srtpWorkers: SrtpWorkerPool | undefined;
  /**
   * The socket every WebRtcEndpoint's ICE shares, when the server was given `ice.udpPort`.
   * @internal
   */
  readonly iceUdpMux?: IceUdpMux | undefined;
  /**
   * The native SRTP addon, when the server sends through it (`sendPath` native).
   * @internal
   */
  readonly nativeSrtp: NativeSrtpBinding | undefined;
  /**
   * Media leaves through werift's RTCRtpSender instead of the direct SRTP path.
   * @internal
   */
  readonly weriftSendPath: boolean;
  /**
   * GStreamer stages: filters and the transcoders links insert between codecs.
   * @internal
   */
  readonly processing: ProcessingPlane;
  /**
   * The URLs HTTP endpoints (HttpPostEndpoint) are served at, on the server's listener.
   * @internal
   */
  readonly httpEndpoints: HttpEndpointRoutes;
}
