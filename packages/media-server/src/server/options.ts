import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { ConfigurationError } from '../errors.js';
import type { Logger, LogLevel } from '../logger.js';
import type { ObjectType } from '../objects/ObjectType.js';
import type { IceSettings, MediaSettings } from '../objects/ServerContext.js';
import { HttpHostPolicy } from '../playback/HttpHostPolicy.js';
import type { ProcessingSettings } from '../processing/ProcessingPlane.js';
import { loadNativeSrtp, type NativeSrtpBinding } from '../transport/index.js';
import { resolveWhipOptions, type WhipOptions, type WhipSettings } from '../whip/WhipOptions.js';
import { type ProcessingOptions, resolveProcessing } from './processingOptions.js';

/**
 * How WebRtcEndpoints gather ICE candidates (`ice` of {@link MediaServerOptions}). Each endpoint
 * starts with these; Kurento's endpoint properties (stunServerAddress, turnUrl, externalIPv4...)
 * change them for one endpoint.
 */
export interface IceOptions {
  /** UDP ports for ICE, inclusive (e.g. a firewall's range). Default: any port the OS gives. */
  readonly portRange?: {
    /** Lowest port, 1-65535. */
    readonly min: number;
    /** Highest port, above `min`: an endpoint needs at least two ports of the range. */
    readonly max: number;
  };
  /**
   * One UDP port for the ICE of every WebRtcEndpoint, instead of a socket (and a port) per
   * endpoint: what a firewall that opens a single port needs. Peers are told apart by the ICE
   * ufrag of their first STUN request, then by their address; the native sender then sends the
   * copies of a packet for all subscribers in one sendmmsg(2). IPv4 host candidates only (IPv6
   * and TURN keep a socket per endpoint, within `portRange` if set). Default: none.
   */
  readonly udpPort?: number;
  /**
   * Extra local addresses to gather host candidates on. werift skips loopback interfaces, so
   * peers on the same machine (tests, demos) need `127.0.0.1`. Default: `['127.0.0.1']`.
   */
  readonly hostAddresses?: readonly string[];
  /** Public IPv4 announced instead of the host addresses, for a server behind a 1:1 NAT. */
  readonly externalIPv4?: string;
  /** Public IPv6 announced instead of the host addresses, as `externalIPv4`. */
  readonly externalIPv6?: string;
  /**
   * STUN server as `host:port`. None by default: the server never contacts a host it was not
   * told about. Each WebRtcEndpoint may override it (setStunServerAddress / setStunServerPort).
   */
  readonly stunServer?: string;
  /** TURN relay as Kurento writes it: `user:password@host:port[?transport=udp|tcp]`. */
  readonly turnUrl?: string;
}

/**
 * Options of {@link createMediaServer}; every one is optional. A bad value makes it throw a
 * ConfigurationError that names the option, before anything listens.
 */
export interface MediaServerOptions {
  /**
   * Interface to listen on. Loopback by default, so that a development server is not reachable
   * from the network by accident; use `0.0.0.0` (or a specific address) to serve other hosts.
   */
  readonly host?: string;
  /** TCP port of the WebSocket. Default 8888 (as KMS); 0 picks a free port (tests). */
  readonly port?: number;
  /** WebSocket path. Default `/kurento`, the path kurento-client apps use. */
  readonly path?: string;
  /**
   * When set, a client must add `?access_token=<token>` to the WebSocket URL (kurento-client's
   * `access_token` option does exactly that); others are refused with HTTP 401.
   */
  readonly accessToken?: string;
  /**
   * Largest request accepted, in bytes. Bigger ones get a JSON-RPC error and the connection
   * stays open (frames beyond 4× this limit close it). Default 1 MiB: an SDP offer is ~10 KiB.
   */
  readonly maxMessageBytes?: number;
  /**
   * How long a session whose WebSocket dropped keeps its objects, waiting for the client to
   * reconnect and send `connect {sessionId}`. Default 60 s (kurento-client retries within that).
   */
  readonly sessionGracePeriodMs?: number;
  /** How WebRtcEndpoints gather candidates: ports, host and announced addresses, STUN, TURN. */
  readonly ice?: IceOptions;
  /**
   * The directory RecorderEndpoint and PlayerEndpoint URIs resolve into: relative URIs and
   * `file://` paths must land inside it (no `..`, no symbolic link out), so a client can never
   * read or overwrite other files of the machine. Created when the first recording needs it.
   * Default `./recordings` (from the working directory).
   */
  readonly mediaRoot?: string;
  /**
   * Let PlayerEndpoint fetch `http://` and `https://` URIs. Off by default: a client could
   * otherwise make the server request any address its network reaches.
   */
  readonly allowHttpPlayback?: boolean;
  /**
   * Let RecorderEndpoint upload recordings to `http://` and `https://` URIs (chunked POST as
   * it records, basic-auth credentials from the URI's `user:password@`). Off by default: a
   * client could otherwise make the server send data to any address its network reaches.
   */
  readonly allowHttpRecording?: boolean;
  /**
   * Internal hosts a player may fetch from (and a recorder upload to) besides public ones: host
   * names, addresses or CIDR ranges. Loopback, private and link-local addresses (this server's
   * own port among them) are refused unless named here.
   */
  readonly allowHttpHosts?: readonly string[];
  /**
   * Admission control: while the busiest media event loop is busier than this share (0–1] of
   * the time, new endpoints are refused with NOT_ENOUGH_RESOURCES (40009) instead of degrading
   * every stream. Default 1 (admit everything) when embedded: the event loop is shared with the
   * application, whose work is not media load. The CLI defaults to 0.85 (DEFAULT_MAX_LOAD).
   */
  readonly maxLoad?: number;
  /**
   * Worker threads that encrypt and send outgoing media, so that fan-out to many subscribers
   * uses more than one core (ICE, DTLS and the media graph stay on the main thread). Default 0:
   * the main thread sends, which is cheaper per packet while one core suffices.
   */
  readonly sendWorkers?: number;
  /**
   * How RTP leaves the server. `native`: the server's own SRTP path with encryption and
   * sendmsg(2) in the native addon (built by `npm run build:native`), the cheapest per packet.
   * `direct`: the same path in JavaScript (node:crypto, dgram), about 2x the CPU of `native`.
   * `werift`: werift's RTCRtpSender, about 4x; kept as a fallback and as the benchmark baseline.
   * Default: `native` where the addon loads, else `direct` (logged). With sendWorkers, `native`
   * workers encrypt and send; `direct` workers encrypt and hand the datagrams back.
   */
  readonly sendPath?: SendPath;
  /**
   * TCP port of a Prometheus endpoint (`GET /metrics`, text format) on `host`, beside the
   * WebSocket port. Off by default: metrics cost nothing until asked for. 0 picks a free port
   * (see `MediaServer.metricsPort`). The endpoint has no token: it tells counts, never ids or
   * addresses, but keep the port off networks that should not see the server's load.
   */
  readonly metricsPort?: number;
  /**
   * Keep the metrics (`MediaServer.metrics`, a prom-client Registry) without serving them, for
   * an application that embeds the server and serves its own `/metrics`. Implied by
   * `metricsPort`. Default false.
   */
  readonly collectMetrics?: boolean;
  /** Default `info`. Ignored when `logger` is given. */
  readonly logLevel?: LogLevel;
  /** Where logs go; default JSON lines on stderr. */
  readonly logger?: Logger;
  /** More element types to serve (custom elements), besides the built-in ones. */
  readonly elementTypes?: readonly ObjectType[];
  /** GStreamer filters and automatic transcoding (see ProcessingOptions). */
  readonly processing?: ProcessingOptions;
  /**
   * Serve WHIP (`POST /whip/{stream}`, RFC 9725) and WHEP (`POST /whep/{stream}`) on the
   * WebSocket's port, so that OBS, GStreamer, ffmpeg and browser pages publish and play without
   * a Kurento-Protocol application; each stream is a MediaPipeline such applications can extend.
   * `true` serves them with the defaults (no token: anyone who reaches the port may publish).
   * Off by default: a server should not take media from clients nobody configured it for.
   */
  readonly whip?: boolean | WhipOptions;
}

export interface ResolvedOptions {
  readonly host: string;
  readonly port: number;
  readonly path: string;
  readonly accessToken: string | undefined;
  readonly maxMessageBytes: number;
  readonly sessionGracePeriodMs: number;
  readonly ice: IceSettings;
  readonly media: MediaSettings;
  readonly maxLoad: number;
  readonly sendWorkers: number;
  readonly sendPath: SendPath;
  /** The addon, when `sendPath` is `native`. */
  readonly nativeSrtp: NativeSrtpBinding | undefined;
  /** Why the default fell back from `native` to `direct`, for the start-up log. */
  readonly nativeSrtpUnavailable: string | undefined;
  readonly logLevel: LogLevel;
  readonly processing: ProcessingSettings;
  readonly metricsPort: number | undefined;
  /** Whether the server keeps metrics (asked for, or needed by the metrics port). */
  readonly collectMetrics: boolean;
  /** WHIP and WHEP, when served. */
  readonly whip: WhipSettings | undefined;
}

/** The WebSocket port when `port` is not given: KMS's, 8888. */
export const DEFAULT_PORT = 8888;
/** The WebSocket path when `path` is not given: `/kurento`, as KMS and kurento-client use. */
export const DEFAULT_PATH = '/kurento';
/** The largest request accepted when `maxMessageBytes` is not given, in bytes: 1 MiB. */
export const DEFAULT_MAX_MESSAGE_BYTES = 1024 * 1024;
/** How long a dropped session keeps its objects when `sessionGracePeriodMs` is not given: 60 s. */
export const DEFAULT_SESSION_GRACE_PERIOD_MS = 60_000;
/** The media root when `mediaRoot` is not given, resolved from the working directory. */
export const DEFAULT_MEDIA_ROOT = './recordings';
export const DEFAULT_MAX_LOAD = 0.85;
export const MAX_SEND_WORKERS = 64;

/** How RTP leaves the server (`sendPath` of {@link MediaServerOptions}, which compares them). */
export type SendPath = 'native' | 'direct' | 'werift';

export function isSendPath(value: string): value is SendPath {
  return value === 'native' || value === 'direct' || value === 'werift';
}

function resolveSendPath(requested: SendPath | undefined): {
  sendPath: SendPath;
  nativeSrtp: NativeSrtpBinding | undefined;
  nativeSrtpUnavailable: string | undefined;
} {
  if (requested !== undefined && !isSendPath(requested)) {
    throw new ConfigurationError(
      `sendPath must be 'native', 'direct' or 'werift', got '${String(requested)}'`,
    );
  }
  if (requested === 'direct' || requested === 'werift') {
    return { sendPath: requested, nativeSrtp: undefined, nativeSrtpUnavailable: undefined };
  }
  const loaded = loadNativeSrtp();
  if ('binding' in loaded) {
    return { sendPath: 'native', nativeSrtp: loaded.binding, nativeSrtpUnavailable: undefined };
  }
  if (requested === 'native')
    throw new ConfigurationError(`sendPath 'native': ${loaded.error.message}`);
  return { sendPath: 'direct', nativeSrtp: undefined, nativeSrtpUnavailable: loaded.error.message };
}

function checkPort(port: number, what: string): number {
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ConfigurationError(`${what} must be an integer from 0 to 65535, got ${port}`);
  }
  return port;
}

function checkAddress(address: string, what: string): string {
  if (isIP(address) === 0)
    throw new ConfigurationError(`${what} must be an IP address, got '${address}'`);
  return address;
}

/** Splits `host:port` (or `[v6]:port`) of a STUN server. */
export function parseHostPort(text: string, what: string): { address: string; port: number } {
  const match = /^\[?([^\]]+?)\]?:(\d+)$/.exec(text.trim());
  if (!match?.[1] || !match[2]) {
    throw new ConfigurationError(`${what} must be host:port, got '${text}'`);
  }
  return { address: match[1], port: checkPort(Number(match[2]), `${what} port`) };
}

function resolveIce(ice: IceOptions = {}): IceSettings {
  const range = ice.portRange;
  if (range) {
    checkPort(range.min, 'ICE port range minimum');
    checkPort(range.max, 'ICE port range maximum');
    // werift binds every candidate within [min, max) and refuses a one-port range.
    if (range.min >= range.max || range.min === 0) {
      throw new ConfigurationError(
        `ICE port range must be 1-65535 and hold at least two ports (min < max), got ${range.min}-${range.max}`,
      );
    }
  }
  const stun = ice.stunServer ? parseHostPort(ice.stunServer, 'STUN server') : undefined;
  if (ice.udpPort !== undefined && checkPort(ice.udpPort, 'ICE UDP port') === 0) {
    throw new ConfigurationError('ICE UDP port must be 1-65535: peers need to know it, got 0');
  }
  return {
    portRange: range ? { min: range.min, max: range.max } : undefined,
    ...(ice.udpPort !== undefined ? { udpPort: ice.udpPort } : {}),
    hostAddresses: (ice.hostAddresses ?? ['127.0.0.1']).map((address) =>
      checkAddress(address, 'ICE host address'),
    ),
    externalIPv4: ice.externalIPv4 ? checkAddress(ice.externalIPv4, 'External IPv4') : undefined,
    externalIPv6: ice.externalIPv6 ? checkAddress(ice.externalIPv6, 'External IPv6') : undefined,
    stunServerAddress: stun?.address,
    stunServerPort: stun?.port,
    turnUrl: ice.turnUrl || undefined,
  };
}

export function resolveOptions(options: MediaServerOptions): ResolvedOptions {
  const path = options.path ?? DEFAULT_PATH;
  if (!path.startsWith('/'))
    throw new ConfigurationError(`path must start with '/', got '${path}'`);
  const maxMessageBytes = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  if (!Number.isInteger(maxMessageBytes) || maxMessageBytes < 1024) {
    throw new ConfigurationError(
      `maxMessageBytes must be an integer of at least 1024, got ${maxMessageBytes}`,
    );
  }
  const sessionGracePeriodMs = options.sessionGracePeriodMs ?? DEFAULT_SESSION_GRACE_PERIOD_MS;
  if (!Number.isFinite(sessionGracePeriodMs) || sessionGracePeriodMs < 0) {
    throw new ConfigurationError(`sessionGracePeriodMs must be >= 0, got ${sessionGracePeriodMs}`);
  }
  const maxLoad = options.maxLoad ?? 1;
  if (!Number.isFinite(maxLoad) || maxLoad <= 0 || maxLoad > 1) {
    throw new ConfigurationError(`maxLoad must be a share in (0, 1], got ${maxLoad}`);
  }
  const sendWorkers = options.sendWorkers ?? 0;
  if (!Number.isInteger(sendWorkers) || sendWorkers < 0 || sendWorkers > MAX_SEND_WORKERS) {
    throw new ConfigurationError(
      `sendWorkers must be an integer from 0 to ${MAX_SEND_WORKERS}, got ${sendWorkers}`,
    );
  }
  const { sendPath, nativeSrtp, nativeSrtpUnavailable } = resolveSendPath(options.sendPath);
  const metricsPort =
    options.metricsPort === undefined ? undefined : checkPort(options.metricsPort, 'metricsPort');
  return {
    host: options.host ?? '127.0.0.1',
    port: checkPort(options.port ?? DEFAULT_PORT, 'port'),
    path,
    accessToken: checkAccessToken(options.accessToken),
    maxMessageBytes,
    sessionGracePeriodMs,
    ice: resolveIce(options.ice),
    media: {
      root: resolve(options.mediaRoot || DEFAULT_MEDIA_ROOT),
      allowHttpPlayback: options.allowHttpPlayback ?? false,
      allowHttpRecording: options.allowHttpRecording ?? false,
      httpHosts: httpHostPolicy(options.allowHttpHosts ?? []),
    },
    maxLoad,
    sendWorkers,
    sendPath,
    nativeSrtp,
    nativeSrtpUnavailable,
    logLevel: options.logLevel ?? 'info',
    processing: resolveProcessing(options.processing),
    metricsPort,
    collectMetrics: metricsPort !== undefined || options.collectMetrics === true,
    whip: resolveWhipOptions(options.whip),
  };
}

/** An empty token would mean "anyone": refuse it rather than start an open server. */
function checkAccessToken(token: string | undefined): string | undefined {
  if (token === undefined) return undefined;
  if (token.trim() === '') {
    throw new ConfigurationError(
      'the access token is empty, which would let any client in: set --access-token (or MEDLEY_ACCESS_TOKEN) to a secret, e.g. $(openssl rand -hex 16), or leave it unset for a server only this machine reaches',
    );
  }
  return token;
}

function httpHostPolicy(entries: readonly string[]): HttpHostPolicy {
  try {
    return new HttpHostPolicy(entries);
  } catch (error) {
    throw new ConfigurationError(`allowHttpHosts: ${(error as Error).message}`);
  }
}
