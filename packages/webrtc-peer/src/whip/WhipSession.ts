import { TypedEventEmitter } from '../TypedEventEmitter.js';
import { iceServersFromLinks } from './iceServerLinks.js';
import { candidateFragment, restartedAnswer, SDP_FRAGMENT_TYPE } from './sdpFragment.js';
import { refusal, WhipError } from './WhipError.js';

/**
 * Where a session stands: `connecting` until the media connection is up, `connected`,
 * `reconnecting` while the connection is interrupted or an ICE restart runs, `failed` when it
 * could not be brought back (an `error` event says why), `closed` after {@link WhipSession.close}.
 */
export type WhipSessionState = 'connecting' | 'connected' | 'reconnecting' | 'failed' | 'closed';

/** The events of a {@link WhipSession} and the value each listener receives. */
export interface WhipSessionEvents {
  /** The session's state changed. */
  statechange: WhipSessionState;
  /**
   * Something failed after the session started: a trickle or ICE restart PATCH was refused, or
   * the connection was lost for good. Kept until a listener subscribes, so none is missed.
   */
  error: WhipError;
}

/** What {@link publishWhip} and {@link playWhep} share. */
export interface WhipClientOptions {
  /** Sent as `Authorization: Bearer <token>` with every request; the server decides if one is needed. */
  token?: string;
  /**
   * STUN/TURN servers, beside the ones the server names in its `Link` headers (those are added
   * once the answer arrives). Default none: the server's candidates suffice on a LAN.
   */
  iceServers?: RTCIceServer[];
  /** More of the RTCPeerConnection's configuration; `bundlePolicy` defaults to `max-bundle`, as WHIP wants. */
  configuration?: RTCConfiguration;
  /**
   * Restart ICE (a PATCH with new credentials, RFC 9725 §4.4) when the connection fails or stays
   * interrupted for 3 s, as a broadcaster expects after a network change. Default true.
   */
  restartIce?: boolean;
}

/** An interrupted connection gets this long to come back by itself before ICE restarts. */
const DISCONNECTED_GRACE_MS = 3000;
/** ICE restarts in a row that may fail before the session is given up. */
const MAX_RESTARTS = 3;

/** The RTCPeerConnection configuration of a session. */
export function peerConfiguration(options: WhipClientOptions): RTCConfiguration {
  const configuration = options.configuration ?? {};
  return {
    bundlePolicy: 'max-bundle',
    ...configuration,
    iceServers: [...(configuration.iceServers ?? []), ...(options.iceServers ?? [])],
  };
}

/**
 * A WHIP publication or WHEP playback, started by {@link publishWhip} or {@link playWhep}: the
 * RTCPeerConnection, the stream sent or received, and the session resource on the server
 * (its `Location`), which takes the trickled candidates, ICE restarts and the final DELETE.
 */
export class WhipSession extends TypedEventEmitter<WhipSessionEvents> {
  /** The connection carrying the media (for stats, `getSenders()`, `replaceTrack()`). */
  readonly peerConnection: RTCPeerConnection;
  /**
   * The media: for a publication the stream sent (yours if you gave one), for a playback the
   * remote stream, which holds its tracks once {@link playWhep} resolves; show it with
   * `video.srcObject = session.stream`.
   */
  readonly stream: MediaStream;
  #url = '';
  #etag: string | null = null;
  #state: WhipSessionState = 'connecting';
  readonly #options: WhipClientOptions;
  readonly #ownsTracks: boolean;
  #pending: (RTCIceCandidateInit | null)[] = [];
  #sending: Promise<void> = Promise.resolve();
  #restarting: Promise<void> | undefined;
  #restarts = 0;
  #trickles = true;
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** A page that goes away ends its sessions at once rather than after the server's timeout. */
  readonly #onPageHide = () => void this.close();

  /** @internal Made by {@link publishWhip} and {@link playWhep}. */
  constructor(
    peerConnection: RTCPeerConnection,
    stream: MediaStream,
    options: WhipClientOptions,
    ownsTracks: boolean,
  ) {
    super(['error']);
    this.peerConnection = peerConnection;
    this.stream = stream;
    this.#options = options;
    this.#ownsTracks = ownsTracks;
  }

  /** The session's URL on the server (the answer's `Location`, resolved). */
  get url(): string {
    return this.#url;
  }

  /** The entity tag of the current ICE session, as the server gave it (`ETag`). */
  get etag(): string | null {
    return this.#etag;
  }

  /** Where the session stands. */
  get state(): WhipSessionState {
    return this.#state;
  }

  /**
   * @internal POSTs the offer to `endpoint` and applies the answer; on failure, closes the
   * connection and rejects with a {@link WhipError}.
   */
  async start(endpoint: string): Promise<this> {
    const connection = this.peerConnection;
    connection.onicecandidate = ({ candidate }) => {
      // An empty candidate is Chromium's end of one section: the final null says it for all.
      if (candidate && !candidate.candidate) return;
      this.#pending.push(candidate ? candidate.toJSON() : null);
      this.#flush();
    };
    connection.onconnectionstatechange = () => this.#followConnection();
    globalThis.addEventListener?.('pagehide', this.#onPageHide);
    try {
      await connection.setLocalDescription(await connection.createOffer());
      const response = await this.#request(endpoint, 'POST', connection.localDescription?.sdp, {
        'Content-Type': 'application/sdp',
      });
      if (!response.ok) throw await refusal(response);
      const location = response.headers.get('Location');
      if (!location) {
        throw new WhipError(
          'HTTP_ERROR',
          `${endpoint} answered without a Location: it is no WHIP/WHEP endpoint, or it does not expose Location to this page (CORS).`,
          { status: response.status },
        );
      }
      this.#url = new URL(location, response.url || endpoint).href;
      this.#etag = response.headers.get('ETag');
      this.#addIceServers(iceServersFromLinks(response.headers.get('Link')));
      const answer = await response.text();
      await connection.setRemoteDescription({ type: 'answer', sdp: answer }).catch((cause) => {
        throw new WhipError('HTTP_ERROR', `The server's answer is not SDP this browser accepts.`, {
          status: response.status,
          cause,
        });
      });
    } catch (error) {
      await this.close();
      throw error;
    }
    this.#flush();
    return this;
  }

  /**
   * Starts a new ICE session over the same resource (RFC 9725 §4.4): a fresh offer's
   * credentials are PATCHed with `If-Match: *`, the server answers its own, and candidates
   * trickle again. Called by itself when the connection fails (see
   * {@link WhipClientOptions.restartIce}); resolves once the new answer is applied.
   */
  restartIce(): Promise<void> {
    if (!this.#url || this.#state === 'closed') return Promise.resolve();
    this.#restarting ??= this.#restart().finally(() => {
      this.#restarting = undefined;
      this.#flush();
    });
    return this.#restarting;
  }

  /**
   * Ends the session: closes the connection, stops the tracks {@link publishWhip} captured
   * (never yours), and DELETEs the resource so the server frees the stream at once (sent with
   * `keepalive`, so it goes out even while the page unloads). Called by itself when the page is
   * left (`pagehide`). Never rejects.
   */
  async close(): Promise<void> {
    if (this.#state === 'closed') return;
    clearTimeout(this.#timer);
    globalThis.removeEventListener?.('pagehide', this.#onPageHide);
    this.peerConnection.close();
    if (this.#ownsTracks) for (const track of this.stream.getTracks()) track.stop();
    this.#setState('closed');
    if (this.#url) await this.#request(this.#url, 'DELETE').catch(() => undefined);
  }

  #addIceServers(servers: RTCIceServer[]): void {
    if (servers.length === 0) return;
    const configuration = this.peerConnection.getConfiguration();
    try {
      this.peerConnection.setConfiguration({
        ...configuration,
        iceServers: [...(configuration.iceServers ?? []), ...servers],
      });
    } catch (cause) {
      this.emit(
        'error',
        new WhipError('HTTP_ERROR', 'The ICE servers of the Link headers are not usable.', {
          cause,
        }),
      );
    }
  }

  async #restart(): Promise<void> {
    const connection = this.peerConnection;
    this.#setState('reconnecting');
    await this.#sending;
    this.#pending = [];
    await connection.setLocalDescription(await connection.createOffer({ iceRestart: true }));
    const response = await this.#request(
      this.#url,
      'PATCH',
      candidateFragment(connection.localDescription?.sdp ?? '', []),
      { 'Content-Type': SDP_FRAGMENT_TYPE, 'If-Match': '*' },
    );
    if (response.status !== 200) throw await refusal(response);
    this.#etag = response.headers.get('ETag') ?? this.#etag;
    const answer = restartedAnswer(connection.remoteDescription?.sdp ?? '', await response.text());
    await connection.setRemoteDescription({ type: 'answer', sdp: answer.sdp });
    for (const candidate of answer.candidates) await connection.addIceCandidate(candidate);
    // A restart of a working connection moves it to the new pair without a state change.
    if (connection.connectionState === 'connected') this.#setState('connected');
  }

  /** Sends the candidates gathered so far in one PATCH, after the ones in flight. */
  #flush(): void {
    this.#sending = this.#sending
      .then(() => this.#trickle())
      .catch((error: unknown) => {
        const failure = error instanceof WhipError ? error : iceFailed(error);
        if (failure.status === 404) this.#fail(failure);
        else if (this.#state !== 'closed') this.emit('error', failure);
      });
  }

  async #trickle(): Promise<void> {
    if (!this.#url || this.#restarting || !this.#trickles || this.#state === 'closed') return;
    const candidates = this.#pending.splice(0);
    if (candidates.length === 0) return;
    const headers: Record<string, string> = { 'Content-Type': SDP_FRAGMENT_TYPE };
    if (this.#etag) headers['If-Match'] = this.#etag;
    const body = candidateFragment(this.peerConnection.localDescription?.sdp ?? '', candidates);
    const response = await this.#request(this.#url, 'PATCH', body, headers);
    // 412: candidates of an ICE session that a restart replaced meanwhile.
    if (response.ok || response.status === 412) return;
    // A server without trickle ICE connects from the candidates of its own answer.
    if (response.status === 405 || response.status === 501) this.#trickles = false;
    else throw await refusal(response);
  }

  #followConnection(): void {
    const state = this.peerConnection.connectionState;
    clearTimeout(this.#timer);
    if (state === 'connected') {
      this.#restarts = 0;
      this.#setState('connected');
    } else if (state === 'disconnected' || state === 'failed') {
      if (this.#options.restartIce === false || this.#restarts >= MAX_RESTARTS) {
        if (state === 'failed') this.#fail(iceFailed());
        else this.#setState('reconnecting');
        return;
      }
      this.#setState('reconnecting');
      this.#timer = setTimeout(
        () => {
          this.#restarts++;
          this.restartIce().catch((error: unknown) =>
            this.#fail(error instanceof WhipError ? error : iceFailed(error)),
          );
        },
        state === 'failed' ? 0 : DISCONNECTED_GRACE_MS,
      );
    }
  }

  #fail(error: WhipError): void {
    if (this.#state === 'closed') return;
    this.#setState('failed');
    this.emit('error', error);
  }

  #setState(state: WhipSessionState): void {
    if (this.#state === state || this.#state === 'closed') return;
    this.#state = state;
    this.emit('statechange', state);
  }

  #request(
    url: string,
    method: string,
    body?: string,
    headers: Record<string, string> = {},
  ): Promise<Response> {
    if (this.#options.token) headers.Authorization = `Bearer ${this.#options.token}`;
    return fetch(url, { method, body, headers, keepalive: method === 'DELETE' }).catch(
      (cause: unknown) => {
        throw new WhipError(
          'UNREACHABLE',
          `No answer from ${url}: check the URL and that the server runs with WHIP on (a page of another origin needs it to allow that origin).`,
          { cause },
        );
      },
    );
  }
}

function iceFailed(cause?: unknown): WhipError {
  return new WhipError(
    'ICE_FAILED',
    'The media connection was lost and ICE restarts did not bring it back: check the network (across networks the server needs a TURN server), then start again.',
    { cause },
  );
}
