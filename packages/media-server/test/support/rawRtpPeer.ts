import { randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { once } from 'node:events';
import {
  keyMaterial,
  parseCryptoAttribute,
  suiteByKurentoName,
} from '../../src/transport/plainRtp/SdesCryptoSuite.js';
import { SrtpAesCmSession } from '../../src/transport/plainRtp/SrtpAesCmSession.js';

/**
 * A plain-RTP peer written out by hand on UDP sockets, for the wire formats of RTCP an
 * RtpEndpoint must read and write (NACK, PLI, SR, SDES, BYE): what it sends is built here byte
 * by byte after the RFCs, not with the server's code. SRTP (SDES, AES_CM_128_HMAC_SHA1_80)
 * uses the server's SrtpAesCmSession, which is checked against libsrtp's reference packet
 * and against ffmpeg in other tests.
 */

/** One RTP packet as the peer received it (after SRTP, when negotiated). */
export interface ReceivedRtp {
  readonly sequenceNumber: number;
  readonly timestamp: number;
  readonly ssrc: number;
  readonly payloadType: number;
  /** The whole packet, header included. */
  readonly bytes: Buffer;
}

/** One packet of a compound RTCP packet the peer received. */
export interface ReceivedRtcp {
  readonly type: number;
  readonly format: number;
  readonly bytes: Buffer;
  /** How many RTP packets had arrived when it did. */
  readonly rtpReceivedBefore: number;
}

export interface RawRtpPeerOptions {
  readonly direction: 'sendonly' | 'recvonly' | 'sendrecv';
  readonly rtcpMux: boolean;
  /** SDES-SRTP with AES_CM_128_HMAC_SHA1_80. */
  readonly srtp: boolean;
}

const SRTP_SUITE = 'AES_CM_128_HMAC_SHA1_80';

export class RawRtpPeer {
  rtp: Socket;
  rtcp: Socket;
  readonly received: ReceivedRtp[] = [];
  readonly rtcpReceived: ReceivedRtcp[] = [];
  /** Datagrams that failed SRTP/SRTCP authentication (none is expected). */
  authenticationFailures = 0;
  readonly ssrc = randomBytes(4).readUInt32BE(0);
  readonly #options: RawRtpPeerOptions;
  readonly #key = randomBytes(30);
  #outbound: SrtpAesCmSession | undefined;
  #inbound: SrtpAesCmSession | undefined;
  /** Where the endpoint takes RTP and RTCP, from its answer. */
  #remote: { rtpPort: number; rtcpPort: number } | undefined;

  private constructor(rtp: Socket, rtcp: Socket, options: RawRtpPeerOptions) {
    this.rtp = rtp;
    this.rtcp = rtcp;
    this.#options = options;
    if (options.srtp) {
      this.#outbound = new SrtpAesCmSession(
        keyMaterial(suiteByKurentoName('AES_128_CM_HMAC_SHA1_80'), this.#key),
      );
    }
    rtp.on('message', (datagram: Buffer) => this.#receive(datagram));
    rtcp.on('message', (datagram: Buffer) => this.#receiveRtcp(datagram));
  }

  /** Binds an even RTP port and the RTCP port after it on 127.0.0.1. */
  static async open(options: RawRtpPeerOptions): Promise<RawRtpPeer> {
    const [rtp, rtcp] = await bindPair();
    return new RawRtpPeer(rtp, rtcp, options);
  }

  /** Goes on from new ports, as a peer behind a NAT that changed its mapping (or restarted). */
  async rebind(): Promise<void> {
    const [rtp, rtcp] = await bindPair();
    this.close();
    this.rtp = rtp;
    this.rtcp = rtcp;
    rtp.on('message', (datagram: Buffer) => this.#receive(datagram));
    rtcp.on('message', (datagram: Buffer) => this.#receiveRtcp(datagram));
  }

  /** The peer's offer: one VP8 video m= line, announcing generic NACK, PLI and FIR. */
  offer(): string {
    const port = this.rtp.address().port;
    return [
      'v=0',
      'o=- 0 0 IN IP4 127.0.0.1',
      's=raw-peer',
      'c=IN IP4 127.0.0.1',
      't=0 0',
      `m=video ${port} ${this.#options.srtp ? 'RTP/SAVPF' : 'RTP/AVPF'} 96`,
      'a=rtpmap:96 VP8/90000',
      'a=rtcp-fb:96 nack',
      'a=rtcp-fb:96 nack pli',
      'a=rtcp-fb:96 ccm fir',
      ...(this.#options.rtcpMux ? ['a=rtcp-mux'] : [`a=rtcp:${port + 1}`]),
      ...(this.#options.srtp
        ? [`a=crypto:1 ${SRTP_SUITE} inline:${this.#key.toString('base64')}`]
        : []),
      `a=${this.#options.direction}`,
      '',
    ].join('\r\n');
  }

  /** Takes the endpoint's answer: its ports and, for SRTP, its key. */
  applyAnswer(answer: string): void {
    const rtpPort = Number(/^m=video (\d+) /m.exec(answer)?.[1]);
    const rtcpLine = /^a=rtcp:(\d+)/m.exec(answer)?.[1];
    const mux = /^a=rtcp-mux/m.test(answer);
    this.#remote = { rtpPort, rtcpPort: mux ? rtpPort : Number(rtcpLine ?? rtpPort + 1) };
    if (this.#options.srtp) {
      const line = /^a=crypto:(.+)$/m.exec(answer)?.[1];
      const attribute = line ? parseCryptoAttribute(line.trim()) : undefined;
      if (!attribute) throw new Error(`no usable a=crypto in the answer:\n${answer}`);
      this.#inbound = new SrtpAesCmSession(attribute.material);
    }
  }

  /** Sends one RTP packet with a VP8 key-frame payload that holds `index` (so each is unique). */
  sendVideoPacket(index: number, ssrc = this.ssrc): void {
    const payload = Buffer.alloc(40);
    payload[0] = 0x10; // VP8 payload descriptor: start of partition 0
    payload[1] = 0x00; // VP8 payload header: P bit 0, a key frame
    payload.writeUInt32BE(index >>> 0, 4);
    const packet = Buffer.alloc(12 + payload.length);
    packet[0] = 0x80;
    packet[1] = 0x80 | 96;
    packet.writeUInt16BE(index & 0xffff, 2);
    packet.writeUInt32BE((index * 3000) >>> 0, 4);
    packet.writeUInt32BE(ssrc >>> 0, 8);
    payload.copy(packet, 12);
    this.#sendTo('rtp', this.#outbound ? this.#outbound.protectRtp(packet) : packet);
  }

  /** Sends a compound RTCP packet: a receiver report of ours, then `packets`. */
  sendRtcp(...packets: Buffer[]): void {
    const report = Buffer.alloc(8);
    report[0] = 0x80;
    report[1] = 201;
    report.writeUInt16BE(1, 2);
    report.writeUInt32BE(this.ssrc, 4);
    const compound = Buffer.concat([report, ...packets]);
    this.#sendTo('rtcp', this.#outbound ? this.#outbound.protectRtcp(compound) : compound);
  }

  /** Packets received with this sequence number, in arrival order. */
  copiesOf(sequenceNumber: number): ReceivedRtp[] {
    return this.received.filter((packet) => packet.sequenceNumber === sequenceNumber);
  }

  close(): void {
    this.rtp.close();
    this.rtcp.close();
  }

  #sendTo(kind: 'rtp' | 'rtcp', datagram: Buffer): void {
    const remote = this.#remote;
    if (!remote) throw new Error('apply the answer first');
    const socket = kind === 'rtcp' && !this.#options.rtcpMux ? this.rtcp : this.rtp;
    socket.send(datagram, kind === 'rtp' ? remote.rtpPort : remote.rtcpPort, '127.0.0.1');
  }

  #receive(datagram: Buffer): void {
    const payloadType = (datagram[1] as number) & 0x7f;
    if (payloadType >= 64 && payloadType <= 95) {
      this.#receiveRtcp(datagram);
      return;
    }
    const packet = this.#inbound ? this.#inbound.unprotectRtp(datagram) : datagram;
    if (!packet) {
      this.authenticationFailures++;
      return;
    }
    this.received.push({
      sequenceNumber: packet.readUInt16BE(2),
      timestamp: packet.readUInt32BE(4),
      ssrc: packet.readUInt32BE(8),
      payloadType: (packet[1] as number) & 0x7f,
      bytes: packet,
    });
  }

  #receiveRtcp(datagram: Buffer): void {
    const compound = this.#inbound ? this.#inbound.unprotectRtcp(datagram) : datagram;
    if (!compound) {
      this.authenticationFailures++;
      return;
    }
    for (let offset = 0; offset + 4 <= compound.length; ) {
      const length = (compound.readUInt16BE(offset + 2) + 1) * 4;
      this.rtcpReceived.push({
        type: compound[offset + 1] as number,
        format: (compound[offset] as number) & 0x1f,
        bytes: compound.subarray(offset, offset + length),
        rtpReceivedBefore: this.received.length,
      });
      offset += length;
    }
  }
}

/** An even RTP port and the RTCP port after it on 127.0.0.1. */
async function bindPair(): Promise<[Socket, Socket]> {
  for (;;) {
    const rtp = createSocket('udp4');
    rtp.bind(0, '127.0.0.1');
    await once(rtp, 'listening');
    const port = rtp.address().port;
    if (port % 2 === 0 && port < 65534) {
      const rtcp = createSocket('udp4');
      const bound = await new Promise<boolean>((resolve) => {
        rtcp.once('error', () => resolve(false));
        rtcp.bind(port + 1, '127.0.0.1', () => resolve(true));
      });
      if (bound) return [rtp, rtcp];
      rtcp.close();
    }
    rtp.close();
  }
}

/** A generic NACK (RFC 4585 §6.2.1) for `lost` and the packets of `bitmask` after it. */
export function genericNack(
  senderSsrc: number,
  mediaSsrc: number,
  lost: number,
  bitmask: number,
): Buffer {
  const packet = Buffer.alloc(16);
  packet[0] = 0x80 | 1;
  packet[1] = 205;
  packet.writeUInt16BE(3, 2);
  packet.writeUInt32BE(senderSsrc >>> 0, 4);
  packet.writeUInt32BE(mediaSsrc >>> 0, 8);
  packet.writeUInt16BE(lost & 0xffff, 12);
  packet.writeUInt16BE(bitmask & 0xffff, 14);
  return packet;
}

/** A PLI (RFC 4585 §6.3.1) or, with `fir`, a FIR (RFC 5104 §4.3.1) for `mediaSsrc`. */
export function keyframeRequest(senderSsrc: number, mediaSsrc: number, fir = false): Buffer {
  const packet = Buffer.alloc(fir ? 20 : 12);
  packet[0] = 0x80 | (fir ? 4 : 1);
  packet[1] = 206;
  packet.writeUInt16BE(fir ? 4 : 2, 2);
  packet.writeUInt32BE(senderSsrc >>> 0, 4);
  if (fir) packet.writeUInt32BE(mediaSsrc >>> 0, 12);
  else packet.writeUInt32BE(mediaSsrc >>> 0, 8);
  return packet;
}

/** An RTCP BYE for `ssrc`. */
export function goodbyeFor(ssrc: number): Buffer {
  const packet = Buffer.alloc(8);
  packet[0] = 0x81;
  packet[1] = 203;
  packet.writeUInt16BE(1, 2);
  packet.writeUInt32BE(ssrc >>> 0, 4);
  return packet;
}
