import type { RTCDtlsTransport, RTCRtpReceiver, RTCRtpSender } from 'werift';

/**
 * The parts of werift's objects that are private in its typings but that the direct send path
 * (see DirectRtpSender) reads or keeps up to date. Checked against werift 0.24; kept in this one
 * file so an upgrade has one place to look.
 */
export interface SenderInternals {
  /** The MID written into the sdes:mid header extension. */
  mid?: string;
  headerExtensions: readonly { id: number; uri: string }[];
  /** RTCP Sender Report fields, also read by getStats (packetsSent, bytesSent). */
  packetCount: number;
  octetCount: number;
  rtpTimestamp: number;
  ntpTimestamp: bigint;
  /** Starts the Sender Report loop (werift starts it from its own sendRtp). */
  runRtcp(): Promise<void>;
  /** Cumulative lost of the peer's last Receiver Report about this stream, once one came. */
  readonly remotePacketsLost?: number;
}

/** What werift's receiver counts for its Receiver Reports and getStats (read for metrics). */
export interface ReceiverInternals {
  /** Per SSRC of the peer: werift's StreamStatistics. */
  readonly remoteStreams: Readonly<
    Record<
      number,
      {
        readonly packets_received: number;
        readonly bytesReceived: number;
        readonly packets_lost: number;
      }
    >
  >;
  /** PLIs sent per SSRC of the peer. */
  readonly pliCountBySsrc: Readonly<Record<number, number>>;
}

export function receiverInternals(receiver: RTCRtpReceiver): ReceiverInternals {
  return receiver as unknown as ReceiverInternals;
}

export interface SrtpSessionInternals {
  readonly config: { readonly profile: number };
  readonly localContext: {
    readonly cipher: { readonly srtpSessionKey: Buffer; readonly srtpSessionSalt: Buffer };
  };
}

export interface IceConnectionInternals {
  canSendApplicationData(): boolean;
}

export function senderInternals(sender: RTCRtpSender): SenderInternals {
  return sender as unknown as SenderInternals;
}

export function srtpSessionOf(dtlsTransport: RTCDtlsTransport): SrtpSessionInternals | undefined {
  return (dtlsTransport as unknown as { srtp?: SrtpSessionInternals }).srtp;
}

export function iceConnectionInternals(dtlsTransport: RTCDtlsTransport): IceConnectionInternals {
  return dtlsTransport.iceTransport.connection as unknown as IceConnectionInternals;
}
