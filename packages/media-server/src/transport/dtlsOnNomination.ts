import type { RTCDtlsTransport, RTCPeerConnection, RTCSctpTransport } from 'werift';
import { guarded } from '../graph/listenerFailure.js';

/** werift's ICE agent (Connection), private in its typings. Checked against werift 0.24. */
interface IceAgentInternals {
  /** The selected pair, set by checkComplete() once it is nominated. */
  nominated?: unknown;
  /** Marks the pair usable for application data (RFC 7675) and starts the consent checks. */
  queryConsent(): void;
  checkComplete(pair: unknown): void;
}

/**
 * Starts werift's DTLS server as soon as its ICE agent has selected a pair, instead of when its
 * check loop notices: that loop wakes every 20 ms (werift's pacing timer), so the peer's
 * ClientHello, sent the moment the peer nominated the pair, waited up to 20 ms and more on a
 * busy event loop. werift's own connect() later finds DTLS under way and waits for the same
 * handshake (its `start` is answered with this one). Only for a DTLS server (our answers say
 * `a=setup:passive`), which sends nothing before the peer's ClientHello, and only once.
 *
 * When the handshake completes before werift's connect() has seen its ICE start return, that
 * connect() finds DTLS connected and returns without starting the SCTP transport: the peer's
 * data channels still open (it sends the INIT), but one the server creates has no stream id
 * (werift threw on it). So the SCTP transport is started here, in the same turn as the
 * handshake's end — before the peer's INIT can arrive; werift's own later start is a no-op.
 */
export function startDtlsOnNomination(
  peerConnection: RTCPeerConnection,
  dtlsTransport: RTCDtlsTransport,
): void {
  if (dtlsTransport.state !== 'new') return;
  const agent = dtlsTransport.iceTransport.connection as unknown as IceAgentInternals;
  const checkComplete = agent.checkComplete;
  let started: Promise<void> | undefined;
  const startNow = () => {
    if (started || dtlsTransport.state !== 'new' || dtlsTransport.role !== 'server') return;
    const start = dtlsTransport.start.bind(dtlsTransport);
    agent.queryConsent();
    started = start();
    // The handshake's outcome is werift's to report, through the connect() that awaits it.
    started.then(
      () => startSctpOf(peerConnection, dtlsTransport),
      () => {},
    );
    dtlsTransport.start = () => started as Promise<void>;
  };
  agent.checkComplete = function (this: IceAgentInternals, pair: unknown) {
    checkComplete.call(this, pair);
    if (this.nominated && !started) guarded('early DTLS start', startNow)();
  };
}

/** werift's SCTP transport: its stream id counter is set by start(), undefined before. */
interface SctpTransportInternals {
  readonly dataChannelId?: number;
}

function startSctpOf(peerConnection: RTCPeerConnection, dtlsTransport: RTCDtlsTransport): void {
  const sctp: RTCSctpTransport | undefined = peerConnection.sctpTransport;
  const remotePort = peerConnection.sctpRemotePort;
  if (!sctp || sctp.dtlsTransport !== dtlsTransport || remotePort === undefined) return;
  if ((sctp as unknown as SctpTransportInternals).dataChannelId !== undefined) return;
  // Not werift's connectSctp(): that also waits for the association, which connect() does.
  sctp.start(remotePort).catch(() => {});
}
