import { createSocket, type Socket } from 'node:dgram';
import type { MediaCodec, MediaPacket } from '../graph/index.js';

const RTP_HEADER_BYTES = 12;
const RTP_VERSION_2 = 0x80;

/**
 * The server's end of one media stream to and from a GStreamer stage: a UDP socket on 127.0.0.1,
 * connected to the stage's own socket once the stage reports it, so the kernel delivers only the
 * stage's datagrams and sends only to it. RTP goes in plain (loopback never leaves the machine);
 * header extensions are not carried, as along every link of the graph.
 */
export class RtpStreamPort {
  readonly #socket: Socket;
  #connected = false;
  #closed = false;
  /** Reused for every received packet (see MediaPacket's ownership rule). */
  readonly #incoming: MediaPacket = {
    payloadType: 0,
    sequenceNumber: 0,
    timestamp: 0,
    ssrc: 0,
    marker: false,
    payload: Buffer.alloc(0),
    codec: { mimeType: '', payloadType: 0, clockRate: 0 },
  };
  /** Datagrams sent to the stage and received from it, for stats. */
  packetsSent = 0;
  packetsReceived = 0;

  private constructor(socket: Socket) {
    this.#socket = socket;
    socket.on('error', () => undefined);
  }

  /** Binds a new port on 127.0.0.1 (any free port). */
  static async open(): Promise<RtpStreamPort> {
    const socket = createSocket({ type: 'udp4', recvBufferSize: 1 << 20, sendBufferSize: 1 << 20 });
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, '127.0.0.1', () => {
        socket.off('error', reject);
        resolve();
      });
    });
    return new RtpStreamPort(socket);
  }

  get localPort(): number {
    return this.#socket.address().port;
  }

  /** Connects to the stage's socket; from then on only its datagrams are received. */
  async connect(stagePort: number): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.#socket.connect(stagePort, '127.0.0.1', (error?: Error) =>
        error ? reject(error) : resolve(),
      );
    });
    this.#connected = true;
  }

  /** Receives the stage's RTP, each packet labelled with `codec`. */
  onPacket(codec: MediaCodec, deliver: (packet: MediaPacket) => void): void {
    this.#socket.on('message', (datagram) => {
      const packet = this.#parse(datagram, codec);
      if (!packet) return;
      this.packetsReceived++;
      deliver(packet);
    });
  }

  /** Sends one packet to the stage (dropped until the port is connected). */
  send(packet: MediaPacket): void {
    if (!this.#connected || this.#closed) return;
    const header = Buffer.allocUnsafe(RTP_HEADER_BYTES);
    header[0] = RTP_VERSION_2;
    header[1] = (packet.marker ? 0x80 : 0) | (packet.payloadType & 0x7f);
    header.writeUInt16BE(packet.sequenceNumber & 0xffff, 2);
    header.writeUInt32BE(packet.timestamp >>> 0, 4);
    header.writeUInt32BE(packet.ssrc >>> 0, 8);
    this.packetsSent++;
    this.#socket.send([header, packet.payload]);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#socket.close();
  }

  #parse(datagram: Buffer, codec: MediaCodec): MediaPacket | undefined {
    if (datagram.length < RTP_HEADER_BYTES || (datagram[0] as number) >> 6 !== 2) return undefined;
    const first = datagram[0] as number;
    let offset = RTP_HEADER_BYTES + (first & 0x0f) * 4;
    if (first & 0x10) {
      if (datagram.length < offset + 4) return undefined;
      offset += 4 + datagram.readUInt16BE(offset + 2) * 4;
    }
    let end = datagram.length;
    if (first & 0x20) end -= datagram[end - 1] as number;
    if (offset > end) return undefined;
    const packet = this.#incoming;
    packet.marker = ((datagram[1] as number) & 0x80) !== 0;
    packet.payloadType = (datagram[1] as number) & 0x7f;
    packet.sequenceNumber = datagram.readUInt16BE(2);
    packet.timestamp = datagram.readUInt32BE(4);
    packet.ssrc = datagram.readUInt32BE(8);
    packet.payload = datagram.subarray(offset, end);
    packet.codec = codec;
    return packet;
  }
}
