import type { RTCDtlsTransport } from 'werift';
import { guarded } from '../graph/listenerFailure.js';

/** The DTLS socket werift creates when its DTLS transport starts (private in its typings). */
interface DtlsSocketInternals {
  udpOnMessage(datagram: Buffer): void;
}

/** An early handshake is a few records; more than this is not a handshake opening. */
const MAX_EARLY_RECORDS = 16;

/**
 * Hands the DTLS records the peer sends before werift's DTLS transport starts to it once it
 * does. The peer sends its ClientHello as soon as its own ICE check succeeds, while werift
 * starts DTLS only when its ICE agent has finished (tens of ms later: its checks are paced by
 * a 20 ms timer) and drops whatever came before: the handshake then waits for the peer to
 * retransmit its ClientHello (Chromium after 50-100 ms). Watch before the local description is
 * applied; DTLS multiplexing on the ICE connection is unchanged once it started.
 */
export function keepEarlyDtlsRecords(dtlsTransport: RTCDtlsTransport): void {
  if (dtlsTransport.state !== 'new') return;
  const early: Buffer[] = [];
  const received = dtlsTransport.iceTransport.connection.onData.subscribe(
    guarded('early DTLS records', (datagram: Buffer) => {
      if (dtlsTransport.state === 'new' && isDtls(datagram) && early.length < MAX_EARLY_RECORDS)
        early.push(datagram);
    }),
  );
  const stateChanged = dtlsTransport.onStateChange.subscribe(
    guarded('early DTLS records', (state) => {
      if (state === 'new') return;
      received.unSubscribe();
      stateChanged.unSubscribe();
      if (state !== 'connecting' || early.length === 0) return;
      // werift creates its DTLS socket right after announcing `connecting`, in the same call.
      queueMicrotask(
        guarded('early DTLS records', () => {
          const socket = (dtlsTransport as unknown as { dtls?: DtlsSocketInternals }).dtls;
          for (const datagram of early.splice(0)) socket?.udpOnMessage(datagram);
        }),
      );
    }),
  );
}

/** RFC 7983: DTLS records start with a content type of 20-63. */
function isDtls(datagram: Buffer): boolean {
  const first = datagram[0];
  return first !== undefined && first >= 20 && first <= 63;
}
