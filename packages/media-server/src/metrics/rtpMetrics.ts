import type { Registry } from 'prom-client';
import { type RtpTraffic, rtpMediaKinds } from '../transport/index.js';
import type { RtpTrafficTotals } from './RtpTrafficTotals.js';
import { runningTotalCounter, type Total } from './runningTotalCounter.js';

type Direction = 'received' | 'sent';

/**
 * RTP and RTCP of the WebRTC endpoints, from the totals werift and the transports keep (each
 * counter sums them when scraped: a few additions per transport).
 */
export function registerRtpMetrics(registry: Registry, traffic: RtpTrafficTotals): void {
  const byDirectionAndKind = (
    received: keyof RtpTraffic,
    sent: keyof RtpTraffic,
  ): (() => Total<'direction' | 'kind'>[]) => {
    return () => {
      const totals = traffic.read();
      return rtpMediaKinds.flatMap((kind) => [
        { labels: { direction: 'received' as Direction, kind }, value: totals[kind][received] },
        { labels: { direction: 'sent' as Direction, kind }, value: totals[kind][sent] },
      ]);
    };
  };
  const summed = (field: keyof RtpTraffic) => () => {
    const totals = traffic.read();
    return [{ labels: {}, value: totals.audio[field] + totals.video[field] }];
  };

  runningTotalCounter({
    registry,
    name: 'medley_rtp_packets_total',
    help: 'RTP packets the WebRTC endpoints received from their peers and sent to them, by media kind.',
    labelNames: ['direction', 'kind'],
    totals: byDirectionAndKind('packetsReceived', 'packetsSent'),
  });
  runningTotalCounter({
    registry,
    name: 'medley_rtp_bytes_total',
    help: 'RTP payload bytes the WebRTC endpoints received and sent (headers, SRTP and UDP not counted), by media kind.',
    labelNames: ['direction', 'kind'],
    totals: byDirectionAndKind('bytesReceived', 'bytesSent'),
  });
  runningTotalCounter({
    registry,
    name: 'medley_rtp_packets_lost_total',
    help: 'RTP packets lost on the way, as RTCP Receiver Reports count them: direction="received" on the way to the server (what its reports tell the peers), "sent" on the way to the peers (what their reports tell the server).',
    labelNames: ['direction', 'kind'],
    totals: byDirectionAndKind('packetsLostInbound', 'packetsLostOutbound'),
  });
  runningTotalCounter({
    registry,
    name: 'medley_rtcp_nacks_received_total',
    help: 'RTCP Generic NACKs the peers sent about streams the server sends.',
    labelNames: [],
    totals: summed('nacksReceived'),
  });
  runningTotalCounter({
    registry,
    name: 'medley_rtp_retransmitted_packets_total',
    help: 'RTP packets resent from the send history in answer to NACKs.',
    labelNames: [],
    totals: summed('retransmittedPackets'),
  });
  runningTotalCounter({
    registry,
    name: 'medley_rtp_retransmitted_bytes_total',
    help: 'RTP payload bytes resent in answer to NACKs.',
    labelNames: [],
    totals: summed('retransmittedBytes'),
  });
  runningTotalCounter({
    registry,
    name: 'medley_rtcp_keyframe_requests_total',
    help: 'Keyframe requests: direction="received" from peers about streams the server sends, "sent" by the server to peers whose picture a receiver needs. The server asks by PLI only, so type="fir" with direction="sent" stays 0.',
    labelNames: ['direction', 'type'],
    totals: () => {
      const totals = traffic.read();
      const both = (field: keyof RtpTraffic) => totals.audio[field] + totals.video[field];
      return [
        { labels: { direction: 'received', type: 'pli' }, value: both('plisReceived') },
        { labels: { direction: 'received', type: 'fir' }, value: both('firsReceived') },
        { labels: { direction: 'sent', type: 'pli' }, value: both('plisSent') },
        { labels: { direction: 'sent', type: 'fir' }, value: 0 },
      ];
    },
  });
}
