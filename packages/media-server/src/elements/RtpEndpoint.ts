import { InvalidParamError, KurentoError } from '../errors.js';
import type { MediaType } from '../graph/index.js';
import { MediaNode } from '../graph/index.js';
import type { ObjectInit } from '../objects/MediaObject.js';
import { defineType } from '../objects/ObjectType.js';
import * as t from '../objects/valueTypes.js';
import { kurentoRtpStats } from '../stats/rtpEndpointStats.js';
import { StatsIntervals } from '../stats/StatsIntervals.js';
import { PlainRtpError, PlainRtpTransport } from '../transport/plainRtp/PlainRtpTransport.js';
import {
  KURENTO_CRYPTO_SUITES,
  type KurentoCryptoSuite,
  keyMaterial,
  randomKeyMaterial,
  SdesError,
  type SrtpKeyMaterial,
  suiteByKurentoName,
} from '../transport/plainRtp/SdesCryptoSuite.js';
import {
  BaseRtpEndpoint,
  BaseRtpEndpointType,
  type ConnectionStateValue,
  type MediaStateValue,
} from './BaseRtpEndpoint.js';
import type { StatsReport } from './MediaElement.js';
import type { MediaPipeline } from './MediaPipeline.js';

/** Kurento's CryptoSuite: the SRTP suites SDES can negotiate. */
export const CryptoSuite = t.enumeration('CryptoSuite', KURENTO_CRYPTO_SUITES);

/**
 * Kurento's SDES: the suite and, optionally, our master key and salt, as 30 (AES-128) or 46
 * (AES-256) characters in `key` (deprecated by Kurento) or base64 in `keyBase64`. Without a
 * key the endpoint makes a random one; the peer learns it from the SDP's `a=crypto` line.
 */
export const SDES = t.register('SDES', {
  key: t.optional(t.string),
  keyBase64: t.optional(t.string),
  crypto: t.optional(CryptoSuite),
});

/** The parsed {@link SDES} parameter. */
export type SdesValue = ReturnType<typeof SDES.parse>;

/** The options of `new RtpEndpoint(...)`: Kurento's constructor params. */
export interface RtpEndpointOptions {
  /** SDES-SRTP (RTP/SAVP); absent for plain RTP/AVP. */
  readonly crypto?: SdesValue | undefined;
  /** Bind IPv6 sockets and announce an IPv6 address in the SDP. */
  readonly useIpv6?: boolean;
}

/** The key material an SDES parameter stands for; throws InvalidParamError for a bad key. */
function sdesKeyMaterial(crypto: SdesValue): SrtpKeyMaterial {
  const suite = suiteByKurentoName(
    (crypto.crypto ?? 'AES_128_CM_HMAC_SHA1_80') as KurentoCryptoSuite,
  );
  if (crypto.key !== undefined && crypto.keyBase64 !== undefined) {
    throw new InvalidParamError('crypto: give key or keyBase64, not both');
  }
  const keyAndSalt =
    crypto.keyBase64 !== undefined
      ? Buffer.from(crypto.keyBase64, 'base64')
      : crypto.key !== undefined
        ? Buffer.from(crypto.key, 'latin1')
        : undefined;
  if (!keyAndSalt) return randomKeyMaterial(suite);
  try {
    return keyMaterial(suite, keyAndSalt);
  } catch (error) {
    if (error instanceof SdesError) {
      throw new InvalidParamError(
        `crypto.${crypto.keyBase64 !== undefined ? 'keyBase64' : 'key'}: ${error.message}`,
      );
    }
    throw error;
  }
}

/**
 * Kurento's RtpEndpoint: media over plain RTP/AVP, or SRTP with SDES keys (RTP/SAVP), to a peer
 * that negotiates with an SDP offer/answer and no ICE — ffmpeg, GStreamer, SIP gateways, IP
 * cameras. Media it receives leaves through its source side like a WebRtcEndpoint's (a sink
 * that needs another codec gets it through the processing plane's transcoding); media
 * connected into it is sent to the peer's address. Its ports come from the server's
 * `--ice-port-range`; the `c=` address is the server's `--external-ipv4` when set.
 */
export class RtpEndpoint extends BaseRtpEndpoint {
  readonly #transport: PlainRtpTransport;
  readonly #statsIntervals = new StatsIntervals();

  constructor(init: ObjectInit, pipeline: MediaPipeline, options: RtpEndpointOptions = {}) {
    const crypto = options.crypto ? sdesKeyMaterial(options.crypto) : undefined;
    const node = new MediaNode({ name: 'RtpEndpoint' });
    super(init, pipeline, node);
    const ice = init.context.ice;
    const ipv6 = options.useIpv6 ?? false;
    this.#transport = new PlainRtpTransport(node, {
      portRange: ice.portRange,
      announcedAddress: ipv6 ? ice.externalIPv6 : ice.externalIPv4,
      ipv6,
      crypto,
    });
    this.#transport.on('connectionstatechange', (change) => {
      this.emitEvent('ConnectionStateChanged', { ...change });
      this.emitEvent(
        change.newState === 'CONNECTED' ? 'MediaSessionStarted' : 'MediaSessionTerminated',
      );
    });
    this.#transport.on('mediastatechange', (change) =>
      this.emitEvent('MediaStateChanged', { ...change }),
    );
  }

  get connectionState(): ConnectionStateValue {
    return this.#transport.connectionState;
  }

  get mediaState(): MediaStateValue {
    return this.#transport.mediaState;
  }

  /**
   * Answers an offer of RTP/AVP (or RTP/SAVP with `a=crypto`, for an endpoint created with
   * `crypto`) audio and video m= lines; m= lines it cannot take are answered with port 0.
   * RTCP goes to the offer's `a=rtcp` port (else the RTP port + 1), or on the RTP port when it
   * offers `a=rtcp-mux`.
   */
  async processOffer(offer: string): Promise<string> {
    return this.#call(() => this.#transport.processOffer(offer));
  }

  /** Offers audio and video, sendrecv, with every codec the server negotiates. */
  async generateOffer(): Promise<string> {
    return this.#call(() => this.#transport.generateOffer());
  }

  async processAnswer(answer: string): Promise<string> {
    return this.#call(() => this.#transport.processAnswer(answer));
  }

  getLocalSessionDescriptor(): string {
    const sdp = this.#transport.localSdp;
    if (sdp === undefined) {
      throw new KurentoError(
        'SDP_END_POINT_NO_LOCAL_SDP_ERROR',
        'No local SDP yet: call processOffer or generateOffer first',
      );
    }
    return sdp;
  }

  getRemoteSessionDescriptor(): string {
    const sdp = this.#transport.remoteSdp;
    if (sdp === undefined) {
      throw new KurentoError(
        'SDP_END_POINT_NO_REMOTE_SDP_ERROR',
        'No remote SDP yet: call processOffer, or generateOffer then processAnswer',
      );
    }
    return sdp;
  }

  requestKeyframe(): void {
    this.#transport.requestKeyframe();
  }

  /**
   * Adds, per negotiated medium, an `inboundrtp`, an `outboundrtp` and the codecs in Kurento's
   * shape (see {@link kurentoRtpStats}).
   */
  override async getStats(mediaType?: MediaType): Promise<StatsReport> {
    const report = await super.getStats(mediaType);
    const stats = kurentoRtpStats(
      this.#transport.streams,
      {
        endpointId: this.id,
        intervals: this.#statsIntervals,
        nowMs: performance.now(),
        timestampMillis: Date.now(),
      },
      mediaType,
    );
    return Object.assign(report, stats);
  }

  protected override async onRelease(): Promise<void> {
    this.#transport.close();
    await super.onRelease();
  }

  async #call<R>(operation: () => Promise<R>): Promise<R> {
    try {
      return await operation();
    } catch (error) {
      if (error instanceof PlainRtpError) {
        throw new KurentoError(error.code, error.message, { cause: error });
      }
      throw error;
    }
  }
}

/**
 * The type table of RtpEndpoint: its constructor params (`crypto` as Kurento's SDES,
 * `useIpv6`) and Kurento's OnKeySoftLimit event (accepted for subscription; SDES keys here
 * are never rekeyed, so it is not raised).
 */
export const RtpEndpointType = defineType({
  name: 'RtpEndpoint',
  module: 'elements',
  extends: BaseRtpEndpointType,
  constructorParams: {
    mediaPipeline: t.mediaObject<MediaPipeline>('MediaPipeline'),
    crypto: t.optional(SDES),
    useIpv6: t.optional(t.boolean, false),
  },
  create: ({ mediaPipeline, crypto, useIpv6 }, init) =>
    new RtpEndpoint(init, mediaPipeline, { crypto, useIpv6 }),
  events: ['OnKeySoftLimit'],
});
