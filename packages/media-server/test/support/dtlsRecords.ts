/** What a test needs to know of one DTLS record: enough to drop a chosen flight or message. */
export interface DtlsRecordSummary {
  /** 20 ChangeCipherSpec, 21 alert, 22 handshake, 23 application data. */
  readonly contentType: number;
  readonly epoch: number;
  /** For a clear (epoch 0) handshake record: its message type (1 ClientHello, 11 Certificate…). */
  readonly handshakeType?: number;
}

/** The records of a datagram, or none when it is not DTLS (RFC 7983: first byte 20–63). */
export function dtlsRecordsOf(datagram: Buffer): DtlsRecordSummary[] {
  const records: DtlsRecordSummary[] = [];
  const first = datagram[0] ?? 0;
  if (first < 20 || first > 63) return records;
  let offset = 0;
  while (offset + 13 <= datagram.length) {
    const contentType = datagram.readUInt8(offset);
    const epoch = datagram.readUInt16BE(offset + 3);
    const length = datagram.readUInt16BE(offset + 11);
    const clearHandshake = contentType === 22 && epoch === 0 && length > 0;
    records.push({
      contentType,
      epoch,
      ...(clearHandshake ? { handshakeType: datagram.readUInt8(offset + 13) } : {}),
    });
    offset += 13 + length;
  }
  return records;
}
