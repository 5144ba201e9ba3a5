import { randomBytes } from 'node:crypto';
import type { WebRtcEndpoint } from '../elements/WebRtcEndpoint.js';
import { KurentoError } from '../errors.js';
import { validateRemoteCandidate } from '../transport/candidates.js';
import { WebRtcTransportError } from '../transport/index.js';
import { type SdpFragment, writeSdpFragment } from './sdpFragment.js';
import { WhipHttpError } from './WhipHttpError.js';

/** A publisher (`POST /whip/{stream}`) or a viewer (`POST /whep/{stream}`). */
export type WhipSessionKind = 'publisher' | 'viewer';

/** What a PATCH answers: 204 after trickle ICE, 200 with the server's fragment after an ICE restart. */
export type PatchOutcome =
  | { readonly status: 204 }
  | { readonly status: 200; readonly etag: string; readonly fragment: string };

/** An entity tag for one ICE session of a WHIP session (it changes on every ICE restart). */
function newEntityTag(): string {
  return `"${randomBytes(9).toString('base64url')}"`;
}

/**
 * One WHIP or WHEP session: the HTTP resource at its `Location`, and the WebRtcEndpoint that
 * carries its media. Its id is 144 random bits, so the URL itself is what lets a client PATCH
 * and DELETE it. It watches its endpoint's connection and calls `onLost` when the peer stays
 * away longer than the connect timeout.
 */
export class WhipSession {
  /** The random part of the Location. */
  readonly id: string;
  readonly kind: WhipSessionKind;
  readonly streamName: string;
  readonly endpoint: WebRtcEndpoint;
  /** The path of the session's resource, as the `Location` header gives it. */
  readonly location: string;
  #etag = newEntityTag();
  #ended = false;
  #lostTimer: NodeJS.Timeout | undefined;
  readonly #connectTimeoutMs: number;
  readonly #onLost: (session: WhipSession) => void;
  readonly #stopWatching: () => void;

  constructor(options: {
    readonly kind: WhipSessionKind;
    readonly streamName: string;
    readonly endpoint: WebRtcEndpoint;
    readonly connectTimeoutMs: number;
    readonly onLost: (session: WhipSession) => void;
  }) {
    this.id = randomBytes(18).toString('base64url');
    this.kind = options.kind;
    this.streamName = options.streamName;
    this.endpoint = options.endpoint;
    this.location = `/${options.kind === 'publisher' ? 'whip' : 'whep'}/${options.streamName}/${this.id}`;
    this.#connectTimeoutMs = options.connectTimeoutMs;
    this.#onLost = options.onLost;
    this.#stopWatching = options.endpoint.onEvent('ConnectionStateChanged', (event) => {
      if (event.data.newState === 'CONNECTED') this.#clearLostTimer();
      else this.#startLostTimer();
    });
    this.#startLostTimer();
  }

  /** The entity tag of the current ICE session (the `ETag` header). */
  get etag(): string {
    return this.#etag;
  }

  get ended(): boolean {
    return this.#ended;
  }

  /**
   * Applies a PATCH body: new remote candidates (trickle ICE, RFC 9725 §4.3.2), or new ICE
   * credentials (ICE restart, §4.3.3), which renegotiate ICE and change the entity tag. An
   * `a=end-of-candidates` tells the ICE agent the client has sent them all.
   * `ifMatch` is the request's If-Match: a trickle for an older ICE session, or a restart not
   * sent with `*` or the current tag, is refused with 412.
   * @throws WhipHttpError 400, 412, 404 (the session ended meanwhile)
   */
  patch(fragment: SdpFragment, ifMatch: string | undefined): Promise<PatchOutcome> {
    return this.endpoint.runExclusive(async () => {
      this.#assertLive();
      if (ifMatch !== undefined && ifMatch.trim() !== '*' && !this.#matches(ifMatch)) {
        throw new WhipHttpError(
          412,
          `If-Match ${ifMatch} is not this session's current ETag ${this.#etag}: the ICE session changed (an ICE restart); send candidates of the current one.`,
        );
      }
      const remote = this.#remoteCredentials();
      const restarting =
        fragment.usernameFragment !== undefined && fragment.usernameFragment !== remote.ufrag;
      const candidates = fragment.candidates.map((candidate) =>
        checkCandidate({ ...candidate, sdpMid: candidate.sdpMid || remote.firstMid }),
      );
      if (!restarting) {
        if (fragment.password !== undefined && fragment.password !== remote.pwd) {
          throw new WhipHttpError(
            400,
            'The fragment has the current a=ice-ufrag but another a=ice-pwd: an ICE restart changes both.',
          );
        }
        await this.#addCandidates(candidates, fragment.endOfCandidates);
        return { status: 204 };
      }
      if (fragment.password === undefined) {
        throw new WhipHttpError(
          400,
          'An ICE restart needs both the new a=ice-ufrag and the new a=ice-pwd in the fragment.',
        );
      }
      const answer = await this.#restartIce(fragment.usernameFragment as string, fragment.password);
      await this.#addCandidates(candidates, fragment.endOfCandidates);
      this.#etag = newEntityTag();
      return { status: 200, etag: this.#etag, fragment: answerFragment(answer) };
    });
  }

  /** Stops watching the endpoint; the caller releases what it must. Idempotent. */
  markEnded(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#clearLostTimer();
    this.#stopWatching();
  }

  #matches(ifMatch: string): boolean {
    return ifMatch
      .split(',')
      .map((tag) => tag.trim().replace(/^W\//, ''))
      .includes(this.#etag);
  }

  #assertLive(): void {
    if (this.#ended || this.endpoint.released) {
      throw new WhipHttpError(404, 'This session has ended: POST a new offer to start another.');
    }
  }

  #remoteCredentials(): { ufrag: string | undefined; pwd: string | undefined; firstMid: string } {
    const sdp = this.endpoint.transport.getRemoteSessionDescriptor() ?? '';
    return {
      ufrag: /^a=ice-ufrag:(\S+)/m.exec(sdp)?.[1],
      pwd: /^a=ice-pwd:(\S+)/m.exec(sdp)?.[1],
      firstMid: /^a=mid:(\S+)/m.exec(sdp)?.[1] ?? '0',
    };
  }

  /** Adds the client's candidates, then tells ICE it has them all when the fragment says so. */
  async #addCandidates(
    candidates: readonly CheckedCandidate[],
    endOfCandidates: boolean,
  ): Promise<void> {
    for (const candidate of candidates) {
      try {
        await this.endpoint.transport.addIceCandidate(candidate);
      } catch (error) {
        throw transportToHttp(error, 'a=candidate');
      }
    }
    if (!endOfCandidates) return;
    try {
      await this.endpoint.transport.addEndOfCandidates();
    } catch (error) {
      throw transportToHttp(error, 'a=end-of-candidates');
    }
  }

  async #restartIce(usernameFragment: string, password: string): Promise<string> {
    try {
      return await this.endpoint.transport.restartIce({ usernameFragment, password });
    } catch (error) {
      throw transportToHttp(error, 'ICE restart');
    }
  }

  #startLostTimer(): void {
    if (this.#ended || this.#lostTimer) return;
    this.#lostTimer = setTimeout(() => {
      this.#lostTimer = undefined;
      if (!this.#ended) this.#onLost(this);
    }, this.#connectTimeoutMs);
    this.#lostTimer.unref();
  }

  #clearLostTimer(): void {
    clearTimeout(this.#lostTimer);
    this.#lostTimer = undefined;
  }
}

type CheckedCandidate = { candidate: string; sdpMid: string; sdpMLineIndex: number };

/** Candidates are checked before any is applied, so a bad one leaves nothing half done. */
function checkCandidate(candidate: CheckedCandidate): CheckedCandidate {
  try {
    return validateRemoteCandidate(candidate).candidate;
  } catch (error) {
    throw transportToHttp(error, 'a=candidate');
  }
}

function transportToHttp(error: unknown, what: string): Error {
  if (error instanceof WebRtcTransportError || error instanceof KurentoError) {
    if (error instanceof WebRtcTransportError && error.code === 'TRANSPORT_CLOSED') {
      return new WhipHttpError(404, 'This session has ended: POST a new offer to start another.');
    }
    return new WhipHttpError(400, `${what}: ${error.message}`, {}, { cause: error });
  }
  return error instanceof Error ? error : new Error(String(error));
}

/** The server's part of an ICE restart, from the local description werift made. */
function answerFragment(answerSdp: string): string {
  const mediaStart = answerSdp.search(/^m=/m);
  const firstMedia = mediaStart < 0 ? '' : (answerSdp.slice(mediaStart).split(/^(?=m=)/m)[0] ?? '');
  const field = (name: string) =>
    new RegExp(`^a=${name}:(\\S+)`, 'm').exec(firstMedia)?.[1] ??
    new RegExp(`^a=${name}:(\\S+)`, 'm').exec(answerSdp)?.[1] ??
    '';
  return writeSdpFragment({
    usernameFragment: field('ice-ufrag'),
    password: field('ice-pwd'),
    mid: field('mid'),
    mediaLine: firstMedia.split(/\r?\n/)[0] ?? 'm=audio 9 UDP/TLS/RTP/SAVPF 0',
    candidates: [...firstMedia.matchAll(/^a=(candidate:[^\r\n]+)/gm)].map(
      (match) => match[1] as string,
    ),
  });
}
