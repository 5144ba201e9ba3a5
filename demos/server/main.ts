#!/usr/bin/env node
import { type DemoConfig, readDemoConfig } from './config.js';
import { startDemoAppServer } from './DemoAppServer.js';
import { describeError } from './describeError.js';
import { createLogger } from './logger.js';

const config = readConfigOrExit();
const log = createLogger('demos', config.logLevel);

try {
  const server = await startDemoAppServer(config, log);
  log.info(`Medley demos at ${server.url}/`, { mediaServerUrls: server.mediaServerUrls });
  const shutdown = (signal: string) => {
    log.info('shutting down', { signal });
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
} catch (error) {
  log.error(describeError(error));
  process.exit(1);
}

/** The configuration, or the process ends with one log line saying what to fix (no stack trace). */
function readConfigOrExit(): DemoConfig {
  try {
    return readDemoConfig();
  } catch (error) {
    createLogger('demos').error(describeError(error));
    process.exit(1);
  }
}
