import { NativeSendBatch } from './NativeSendBatch.js';
import type { NativeSrtpBinding, NativeSrtpSenderHandle } from './nativeSrtpBinding.js';
import { RtpHeaderWriter } from './RtpHeaderWriter.js';
import type { OutgoingRtp, SrtpStreamParameters } from './SrtpStreamEncoder.js';

/** Where a native stream sends: a UDP socket's descriptor and the peer's address. */
export interface NativeDestination {
  readonly fd: number;
  readonly address: string;
  readonly port: number;
  /** The socket is IPv6 (an IPv4 peer is then reached as ::ffff:a.b.c.d). */
  readonly ipv6Socket: boolean;
  /**
   * The socket is shared by many subscribers (the ICE UDP mux): a send worker then queues the
   * stream's packets and sends each batch with sendmmsg (see NativeSendBatch).
   */
  readonly batched?: boolean;
}

/**
 * One outgoing RTP stream sent by the native addon: the header is written in place into one
 * template, encrypted and sent in a single call, with nothing allocated per packet. Works on any
 * thread: the addon keeps its own duplicate of the destination's descriptor.
 */
export class NativeSrtpStream {
  readonly #binding: NativeSrtpBinding;
  readonly #handle: NativeSrtpSenderHandle;
  readonly #headers: RtpHeaderWriter;
  readonly #batch: NativeSendBatch;

  constructor(binding: NativeSrtpBinding, parameters: SrtpStreamParameters) {
    const { sessionKey, sessionSalt, ssrc, extensions } = parameters;
    this.#binding = binding;
    this.#handle = binding.createSender(Buffer.from(sessionKey), Buffer.from(sessionSalt), ssrc);
    this.#headers = new RtpHeaderWriter(ssrc, extensions);
    this.#batch = NativeSendBatch.of(binding);
  }

  /** Sends from now on to `destination` (the descriptor is duplicated: the caller keeps its own). */
  setDestination({ fd, address, port, ipv6Socket }: NativeDestination): void {
    this.#binding.setDestination(this.#handle, fd, address, port, ipv6Socket);
  }

  /**
   * Encrypts and sends one packet. Returns the bytes sent, or a negative errno when the kernel
   * refused the datagram (a full socket buffer: a loss, as on the wire, that NACKs recover).
   * Throws before a destination is set and after `close`.
   */
  send(packet: OutgoingRtp, payload: Uint8Array): number {
    const header = this.#header(packet);
    return this.#binding.send(
      this.#handle,
      header,
      payload,
      packet.rolloverCounter,
      packet.sequenceNumber,
    );
  }

  /**
   * Encrypts one packet into the addon's batch, sent by the next {@link NativeSendBatch} flush
   * together with every other packet queued meanwhile (one sendmmsg per socket). Returns the
   * bytes queued, as `send` returns the bytes sent.
   */
  queue(packet: OutgoingRtp, payload: Uint8Array): number {
    const header = this.#header(packet);
    const queued = this.#binding.queue(
      this.#handle,
      header,
      payload,
      packet.rolloverCounter,
      packet.sequenceNumber,
    );
    this.#batch.scheduleFlush();
    return queued;
  }

  #header(packet: OutgoingRtp): Buffer {
    return this.#headers.overwrite(
      packet.payloadType,
      packet.sequenceNumber,
      packet.timestamp,
      packet.marker,
      packet.sentAtMs,
    );
  }

  /** Lets the socket go (the sender held a duplicate of its descriptor); sending then throws. */
  close(): void {
    this.#binding.close(this.#handle);
  }
}
