// A process hosting many light subscribers (WebRTC or UDP), opened and closed by main over IPC;
// on request it reports which packets of a window each subscriber received, and when.
//
//   node --import tsx bench/fanout/subscriber-process.ts      (forked by the benchmark)
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type {
  FromSubscriberProcess,
  SendLog,
  SubscriberReport,
  SubscriberRoute,
  ToSubscriberProcess,
} from './ipc.js';
import { LATENCY_BINS } from './ipc.js';
import { LightSubscriber } from './LightSubscriber.js';
import type { ReceivedRtp, ReceivedRtpEvents } from './ReceivedRtp.js';
import { UdpSubscriber } from './UdpSubscriber.js';

interface HostedSubscriber {
  readonly received: ReceivedRtp;
  close(): Promise<void>;
}

const subscribers = new Map<number, HostedSubscriber>();
const eventLoopDelay = monitorEventLoopDelay({ resolution: 5 });
eventLoopDelay.enable();
let rtpDatagramsOfClosed = 0;

function tell(message: FromSubscriberProcess): void {
  process.send?.(message);
}

async function open(id: number, route: SubscriberRoute): Promise<void> {
  const events: ReceivedRtpEvents = {
    onFirst: (atMs) => tell({ type: 'first-rtp', id, atMs }),
    onAnchor: (anchor) => tell({ type: 'anchor', id, anchor }),
    onUndecryptable: (reason) => tell({ type: 'failed', id, message: reason }),
  };
  if (route.kind === 'udp') {
    subscribers.set(id, await UdpSubscriber.open(route, events));
    tell({ type: 'opened', id });
    return;
  }
  const { subscriber, answerSdp } = await LightSubscriber.acceptOffer(route.offer, events);
  subscribers.set(id, subscriber);
  tell({ type: 'opened', id, answer: answerSdp });
}

async function close(id: number): Promise<void> {
  const subscriber = subscribers.get(id);
  if (!subscriber) return;
  subscribers.delete(id);
  rtpDatagramsOfClosed += subscriber.received.datagrams;
  await subscriber.close();
}

/** Matches every subscriber's arrivals against the packets the publisher sent in the window. */
function report(sends: SendLog, idsBelow = Number.POSITIVE_INFINITY): SubscriberReport {
  const histogram = new Uint32Array(LATENCY_BINS);
  let expected = 0;
  let received = 0;
  let worstLoss = 0;
  let decrypted = 0;
  let decryptFailures = 0;
  let rtpDatagrams = rtpDatagramsOfClosed;
  let reported = 0;
  for (const [id, subscriber] of subscribers) {
    if (id >= idsBelow) continue;
    reported++;
    const match = subscriber.received.arrivals.match(sends, histogram);
    expected += match.expected;
    received += match.received;
    if (match.expected > 0) worstLoss = Math.max(worstLoss, 1 - match.received / match.expected);
    decrypted += subscriber.received.decrypted;
    decryptFailures += subscriber.received.decryptFailures;
    rtpDatagrams += subscriber.received.datagrams;
  }
  const latencyBins: [number, number][] = [];
  histogram.forEach((count, bin) => {
    if (count > 0) latencyBins.push([bin, count]);
  });
  return {
    subscribers: reported,
    expected,
    received,
    worstLoss,
    latencyBins,
    decrypted,
    decryptFailures,
    rtpDatagrams,
    eventLoopDelayMs: {
      p99: eventLoopDelay.percentile(99) / 1e6,
      max: eventLoopDelay.max / 1e6,
    },
  };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

process.on('message', (message: ToSubscriberProcess) => {
  switch (message.type) {
    case 'open':
      open(message.id, message.route).catch((error: unknown) =>
        tell({ type: 'failed', id: message.id, message: messageOf(error) }),
      );
      break;
    case 'close':
      close(message.id).catch(() => undefined);
      break;
    case 'sequence-offsets':
      Object.assign(
        subscribers.get(message.id)?.received.arrivals.sequenceOffsets ?? {},
        message.offsets,
      );
      break;
    case 'window-start':
      eventLoopDelay.reset();
      break;
    case 'report':
      tell({
        type: 'report',
        requestId: message.requestId,
        report: report(message.sends, message.idsBelow),
      });
      break;
    case 'stop':
      process.exit(0);
  }
});
process.on('disconnect', () => process.exit(0));
// A werift peer's late error must not take the other subscribers of this process down with it.
process.on('uncaughtException', (error) => console.error(`subscriber process: ${error.message}`));
process.on('unhandledRejection', (reason) =>
  console.error(`subscriber process: ${messageOf(reason)}`),
);
