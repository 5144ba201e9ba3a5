import { type RequestAnswer, WireEvent } from '@medley/signaling/server';
import { Counter, Gauge, type Registry } from 'prom-client';
import { type DemoSignaling, socketIoDemos } from './DemoSignaling.js';

/**
 * Connections and signaling sessions by demo, and the signaling requests each refused. A refusal
 * is seen on its way out: every socket of a demo gets a socket.io middleware that wraps the
 * acknowledgement of Medley requests and counts the answers that are failures, by their code.
 */
export function registerSignalingMetrics(registry: Registry, signaling: DemoSignaling): void {
  const demos = socketIoDemos(signaling);
  new Gauge({
    name: 'medley_demo_connections',
    help: 'Connected clients by demo: socket.io sockets of each demo\'s namespace, and the Kurento tutorial\'s plain WebSockets (demo="kurento-hello-world").',
    labelNames: ['demo'],
    registers: [registry],
    collect(this: Gauge<'demo'>) {
      for (const { demo, namespace, server } of demos) {
        this.set({ demo }, server.io.of(namespace).sockets.size);
      }
      this.set({ demo: 'kurento-hello-world' }, signaling.helloWorld.clients.size);
    },
  });
  new Gauge({
    name: 'medley_demo_signaling_sessions',
    help: 'Medley signaling sessions by demo: state="connected" has its socket, state="away" lost it and waits out the grace period (its call still runs).',
    labelNames: ['demo', 'state'],
    registers: [registry],
    collect(this: Gauge<'demo' | 'state'>) {
      for (const { demo, server } of demos) {
        let connected = 0;
        for (const session of server.sessions.values()) if (session.connected) connected++;
        this.set({ demo, state: 'connected' }, connected);
        this.set({ demo, state: 'away' }, server.sessions.size - connected);
      }
    },
  });
  const refused = new Counter({
    name: 'medley_demo_signaling_requests_refused_total',
    help: 'Signaling requests answered with an error, by demo and code (REJECTED: the demo said no, e.g. someone else presents; INVALID_PAYLOAD; UNKNOWN_REQUEST).',
    labelNames: ['demo', 'code'],
    registers: [registry],
  });
  for (const { demo, namespace, server } of demos) {
    server.io.of(namespace).on('connection', (socket) => {
      socket.use((packet, next) => {
        const acknowledge = packet[packet.length - 1];
        if (packet[0] === WireEvent.request && typeof acknowledge === 'function') {
          packet[packet.length - 1] = (answer: RequestAnswer) => {
            if (answer && answer.ok === false) refused.inc({ demo, code: answer.error.code });
            acknowledge(answer);
          };
        }
        next();
      });
    });
  }
}
