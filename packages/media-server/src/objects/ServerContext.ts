import type { Logger } from '../logger.js';
import type { HttpHostPolicy } from '../playback/HttpHostPolicy.js';
import type { ProcessingPlane } from '../processing/ProcessingPlane.js';
import type { NativeSrtpBinding, SrtpWorkerPool } from '../transport/index.js';
import type { ObjectRegistry } from './ObjectRegistry.js';

/**
 * ICE settings every new WebRtcEndpoint starts with. Names follow Kurento's
 * WebRtcEndpoint.conf.ini; each endpoint can change its own copy through its properties.
 */
export interface IceSettings {
  /** UDP ports to bind ICE sockets in, inclusive; absent lets the OS pick. */
  readonly portRange: { readonly min: number; readonly max: number } | undefined;
  /** Extra local addresses to gather host candidates on (werift skips loopback otherwise). */
  readonly hostAddresses: readonly string[];
  /** Public addresses announced instead of the host addresses (server behind a 1:1 NAT). */
  readonly externalIPv4: string | undefined;
  readonly externalIPv6: string | undefined;
  readonly stunServerAddress: string | undefined;
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
  /** Which hosts it may fetch them from (public ones, and the internal ones named). */
  readonly httpHosts: HttpHostPolicy;
}

/** What media objects need from the server that hosts them. */
export interface ServerContext {
  readonly registry: ObjectRegistry;
  readonly logger: Logger;
  readonly ice: IceSettings;
  readonly media: MediaSettings;
  /** Worker threads that encrypt outgoing media, when the server was started with some. */
  readonly srtpWorkers: SrtpWorkerPool | undefined;
  /** The native SRTP addon, when the server sends through it (`sendPath` native). */
  readonly nativeSrtp: NativeSrtpBinding | undefined;
  /** Media leaves through werift's RTCRtpSender instead of the direct SRTP path. */
  readonly weriftSendPath: boolean;
  /** GStreamer stages: filters and the transcoders links insert between codecs. */
  readonly processing: ProcessingPlane;
}
