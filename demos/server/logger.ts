export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface Logger {
  debug(message: string, details?: unknown): void;
  info(message: string, details?: unknown): void;
  warn(message: string, details?: unknown): void;
  error(message: string, details?: unknown): void;
}

const levelRank: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** JSON lines on stderr, one per event, below `level` dropped. */
export function createLogger(name: string, level: LogLevel = 'info'): Logger {
  const write = (messageLevel: LogLevel) => (message: string, details?: unknown) => {
    if (levelRank[messageLevel] < levelRank[level]) return;
    const line = { time: new Date().toISOString(), level: messageLevel, name, message, details };
    process.stderr.write(`${JSON.stringify(line)}\n`);
  };
  return { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') };
}
