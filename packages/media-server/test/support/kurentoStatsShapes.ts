import assert from 'node:assert/strict';

/**
 * The stats types of Kurento's core.kmd.json (Kurento/kurento, server/module-core, 7.3), copied
 * field for field with their kmd types, to check what getStats answers against. Each type lists
 * its own fields; `extends` adds its parent's.
 */

type KmdFieldType =
  | 'String'
  | 'int64'
  | 'double'
  | 'boolean'
  | 'String[]'
  | 'MediaLatencyStat[]'
  | { readonly enum: readonly string[] };

interface KmdStatsType {
  readonly extends?: string;
  /** The `type` values an entry of this complex type may have (StatsType, or a W3C name). */
  readonly types?: readonly string[];
  readonly fields: Readonly<Record<string, KmdFieldType>>;
}

const STATS_TYPE = [
  'inboundrtp',
  'outboundrtp',
  'session',
  'datachannel',
  'track',
  'transport',
  'candidatepair',
  'localcandidate',
  'remotecandidate',
  'element',
  'endpoint',
] as const;

export const KMD_STATS_TYPES: Readonly<Record<string, KmdStatsType>> = {
  Stats: {
    fields: { id: 'String', type: 'String', timestampMillis: 'int64' },
  },
  ElementStats: {
    extends: 'Stats',
    types: ['element'],
    fields: { inputLatency: 'MediaLatencyStat[]' },
  },
  EndpointStats: {
    extends: 'ElementStats',
    types: ['endpoint'],
    fields: { E2ELatency: 'MediaLatencyStat[]' },
  },
  RTCStats: { extends: 'Stats', fields: {} },
  RTCRTPStreamStats: {
    extends: 'RTCStats',
    fields: {
      ssrc: 'String',
      associateStatsId: 'String',
      isRemote: 'boolean',
      mediaTrackId: 'String',
      transportId: 'String',
      codecId: 'String',
      firCount: 'int64',
      pliCount: 'int64',
      nackCount: 'int64',
      sliCount: 'int64',
      remb: 'int64',
      packetsLost: 'int64',
      fractionLost: 'double',
    },
  },
  RTCCodec: {
    extends: 'RTCStats',
    types: ['codec'],
    fields: {
      payloadType: 'int64',
      codec: 'String',
      clockRate: 'int64',
      channels: 'int64',
      parameters: 'String',
    },
  },
  RTCInboundRTPStreamStats: {
    extends: 'RTCRTPStreamStats',
    types: ['inboundrtp'],
    fields: { packetsReceived: 'int64', bytesReceived: 'int64', jitter: 'double' },
  },
  RTCOutboundRTPStreamStats: {
    extends: 'RTCRTPStreamStats',
    types: ['outboundrtp'],
    fields: {
      packetsSent: 'int64',
      bytesSent: 'int64',
      targetBitrate: 'double',
      roundTripTime: 'double',
    },
  },
  RTCPeerConnectionStats: {
    extends: 'RTCStats',
    types: ['session'],
    fields: { dataChannelsOpened: 'int64', dataChannelsClosed: 'int64' },
  },
  RTCMediaStreamStats: {
    extends: 'RTCStats',
    types: ['stream'],
    fields: { streamIdentifier: 'String', trackIds: 'String[]' },
  },
  RTCMediaStreamTrackStats: {
    extends: 'RTCStats',
    types: ['track'],
    fields: {
      trackIdentifier: 'String',
      remoteSource: 'boolean',
      ssrcIds: 'String[]',
      frameWidth: 'int64',
      frameHeight: 'int64',
      framesPerSecond: 'double',
      framesSent: 'int64',
      framesReceived: 'int64',
      framesDecoded: 'int64',
      framesDropped: 'int64',
      framesCorrupted: 'int64',
      audioLevel: 'double',
      echoReturnLoss: 'double',
      echoReturnLossEnhancement: 'double',
    },
  },
  RTCDataChannelStats: {
    extends: 'RTCStats',
    types: ['datachannel'],
    fields: {
      label: 'String',
      protocol: 'String',
      datachannelid: 'int64',
      state: { enum: ['connecting', 'open', 'closing', 'closed'] },
      messagesSent: 'int64',
      bytesSent: 'int64',
      messagesReceived: 'int64',
      bytesReceived: 'int64',
    },
  },
  RTCTransportStats: {
    extends: 'RTCStats',
    types: ['transport'],
    fields: {
      bytesSent: 'int64',
      bytesReceived: 'int64',
      rtcpTransportStatsId: 'String',
      activeConnection: 'boolean',
      selectedCandidatePairId: 'String',
      localCertificateId: 'String',
      remoteCertificateId: 'String',
    },
  },
  RTCIceCandidateAttributes: {
    extends: 'RTCStats',
    types: ['localcandidate', 'remotecandidate'],
    fields: {
      ipAddress: 'String',
      portNumber: 'int64',
      transport: 'String',
      candidateType: { enum: ['host', 'serverreflexive', 'peerreflexive', 'relayed'] },
      priority: 'int64',
      addressSourceUrl: 'String',
    },
  },
  RTCIceCandidatePairStats: {
    extends: 'RTCStats',
    types: ['candidatepair'],
    fields: {
      transportId: 'String',
      localCandidateId: 'String',
      remoteCandidateId: 'String',
      state: {
        enum: ['frozen', 'waiting', 'inprogress', 'failed', 'succeeded', 'cancelled'],
      },
      priority: 'int64',
      nominated: 'boolean',
      writable: 'boolean',
      readable: 'boolean',
      bytesSent: 'int64',
      bytesReceived: 'int64',
      roundTripTime: 'double',
      availableOutgoingBitrate: 'double',
      availableIncomingBitrate: 'double',
    },
  },
  RTCCertificateStats: {
    extends: 'RTCStats',
    types: ['certificate'],
    fields: {
      fingerprint: 'String',
      fingerprintAlgorithm: 'String',
      base64Certificate: 'String',
      issuerCertificateId: 'String',
    },
  },
};

/** Every field of `typeName`, its ancestors' included. */
export function kmdFieldsOf(typeName: string): Record<string, KmdFieldType> {
  const type = KMD_STATS_TYPES[typeName];
  assert.ok(type, `${typeName} is not a stats type of core.kmd.json`);
  return { ...(type.extends ? kmdFieldsOf(type.extends) : {}), ...type.fields };
}

/** The kmd complex types whose entries have `type` as their type. */
export function kmdTypesWithStatsType(type: string): string[] {
  return Object.entries(KMD_STATS_TYPES)
    .filter(([, spec]) => spec.types?.includes(type))
    .map(([name]) => name);
}

/**
 * Asserts that `entry` is a complex value of a kmd stats type (its `__type__`) with every field
 * of that type present and of the kmd's type, and a `type` the complex type allows (Kurento's
 * StatsType for its own entries).
 */
export function assertKmdShape(entry: Record<string, unknown>, where = String(entry.id)): void {
  const typeName = entry.__type__;
  assert.equal(typeof typeName, 'string', `${where}: __type__`);
  assert.equal(entry.__module__, 'kurento', `${where}: __module__`);
  const spec = KMD_STATS_TYPES[typeName as string];
  assert.ok(spec?.types, `${where}: ${String(typeName)} is not a concrete kmd stats type`);
  assert.ok(spec.types.includes(entry.type as string), `${where}: type ${String(entry.type)}`);
  if ((STATS_TYPE as readonly string[]).includes(entry.type as string) === false) {
    assert.ok(
      ['RTCCodec', 'RTCCertificateStats', 'RTCMediaStreamStats'].includes(typeName as string),
      `${where}: only the types Kurento's StatsType lacks use W3C names`,
    );
  }
  for (const [field, fieldType] of Object.entries(kmdFieldsOf(typeName as string))) {
    assertFieldType(entry[field], fieldType, `${where} (${String(typeName)}).${field}`);
  }
}

function assertFieldType(value: unknown, type: KmdFieldType, where: string): void {
  if (typeof type === 'object') {
    assert.ok(type.enum.includes(value as string), `${where}: ${String(value)} not in the enum`);
    return;
  }
  switch (type) {
    case 'String':
      assert.equal(typeof value, 'string', `${where}: ${JSON.stringify(value)}`);
      return;
    case 'boolean':
      assert.equal(typeof value, 'boolean', `${where}: ${JSON.stringify(value)}`);
      return;
    case 'int64':
      assert.ok(Number.isInteger(value), `${where}: ${JSON.stringify(value)} is not an integer`);
      return;
    case 'double':
      assert.ok(
        typeof value === 'number' && Number.isFinite(value),
        `${where}: ${JSON.stringify(value)} is not a number`,
      );
      return;
    case 'String[]':
      assert.ok(Array.isArray(value), `${where}: not an array`);
      for (const item of value) assert.equal(typeof item, 'string', `${where}[]`);
      return;
    case 'MediaLatencyStat[]':
      assert.ok(Array.isArray(value), `${where}: not an array`);
      for (const item of value as Record<string, unknown>[]) {
        assert.equal(item.__type__, 'MediaLatencyStat', `${where}[]: __type__`);
        assert.equal(typeof item.name, 'string', `${where}[].name`);
        assert.ok(['AUDIO', 'VIDEO', 'DATA'].includes(item.type as string), `${where}[].type`);
        assert.ok(typeof item.avg === 'number' && Number.isFinite(item.avg), `${where}[].avg`);
      }
      return;
  }
}
