import type { Socket } from 'node:dgram';
import type { NativeSrtpBinding, NativeSrtpSenderHandle } from './nativeSrtpBinding.js';
import { udpDescriptor } from './nativeSrtpBinding.js';
import { RtpHeaderWriter } from './RtpHeaderWriter.js';
import type { OutgoingRtp, SrtpStreamParameters } from './SrtpStreamEncoder.js';

/**
 * One outgoing RTP stream sent by the native addon: the header is written in place into one
 * template, encrypted and sent in a single call, with nothing allocated per packet.
 */
export class NativeSrtpStream {
  readonly #binding: NativeSrtpBinding;
  readonly #handle: NativeSrtpSenderHandle;
  readonly #headers: RtpHeaderWriter;
  #socket: Socket | undefined;
  #address = '';
  #port = 0;

  constructor(binding: NativeSrtpBinding, parameters: SrtpStreamParameters) {
    const { sessionKey, sessionSalt, ssrc, extensions } = parameters;
    this.#binding = binding;
    this.#handle = binding.createSender(Buffer.from(sessionKey), Buffer.from(sessionSalt), ssrc);
    this.#headers = new RtpHeaderWriter(ssrc, extensions);
  }

  /**
   * Encrypts and sends one packet to `address:port` from `socket`, which must be open. Returns
   * the bytes sent, a negative errno when the kernel refused the datagram (a full socket buffer:
   * a loss, as on the wire, that NACKs recover), or undefined when the socket's descriptor
   * cannot be read (the caller then sends another way).
   */
  send(
    packet: OutgoingRtp,
    payload: Uint8Array,
    socket: Socket,
    address: string,
    port: number,
  ): number | undefined {
    if (socket !== this.#socket || address !== this.#address || port !== this.#port) {
      const fd = udpDescriptor(socket);
      if (fd === undefined) return undefined;
      const ipv6Socket = socket.address().family === 'IPv6';
      this.#binding.setDestination(this.#handle, fd, address, port, ipv6Socket);
      this.#socket = socket;
      this.#address = address;
      this.#port = port;
    }
    const header = this.#headers.overwrite(
      packet.payloadType,
      packet.sequenceNumber,
      packet.timestamp,
      packet.marker,
      packet.sentAtMs,
    );
    return this.#binding.send(
      this.#handle,
      header,
      payload,
      packet.rolloverCounter,
      packet.sequenceNumber,
    );
  }

  /** Lets the socket go (the sender held a duplicate of its descriptor); sending then throws. */
  close(): void {
    this.#binding.close(this.#handle);
  }
}
