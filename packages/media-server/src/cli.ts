#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { ConfigurationError } from './errors.js';
import { createJsonLogger } from './logger.js';
import { repairRecordings } from './recording/repairRecordings.js';
import { parseCommandLine } from './server/commandLine.js';
import { createMediaServer } from './server/MediaServer.js';

/** See the Buffer.poolSize comment in main(). */
const SERVER_BUFFER_POOL_BYTES = 1024;

function packageVersion(): string {
  const text = readFileSync(new URL('../package.json', import.meta.url), 'utf8');
  return (JSON.parse(text) as { version: string }).version;
}

async function main(): Promise<void> {
  const commandLine = parseCommandLine(process.argv.slice(2), process.env);
  if (commandLine.kind === 'help') {
    process.stdout.write(commandLine.text);
    return;
  }
  if (commandLine.kind === 'repair') {
    process.exitCode = await repairRecordings(commandLine.files);
    return;
  }
  if (commandLine.kind === 'version') {
    process.stdout.write(`${packageVersion()}\n`);
    return;
  }
  const logger = createJsonLogger(commandLine.options.logLevel ?? 'info');
  // A closed stderr (a supervisor that went away) must not turn every log line into a crash.
  process.stderr.on('error', () => undefined);
  // One peer's bad packet must not end every other session: log, and keep serving.
  process.on('uncaughtException', (error) =>
    logger.error('uncaught exception', { error, stack: error.stack }),
  );
  process.on('unhandledRejection', (reason) =>
    logger.error('unhandled rejection', { error: reason }),
  );

  // werift keeps small slices of Node's shared Buffer pool for a connection's life (SRTP and DTLS
  // keys, the peer's parsed certificate, handshake fragments), and each pins a whole 8 KB slab:
  // ~26 KB per peer connection, measured. 1 KB slabs pin ~13 KB less per connection; buffers of
  // 512 bytes or more (RTP packets) then come unpooled, at the rate of the publishers' packets.
  Buffer.poolSize = SERVER_BUFFER_POOL_BYTES;
  const server = await createMediaServer({ ...commandLine.options, logger });
  const stop = (signal: NodeJS.Signals) => {
    logger.info('stopping', { signal });
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`medley-media-server: ${message}\n`);
  process.exit(error instanceof ConfigurationError ? 2 : 1);
});
