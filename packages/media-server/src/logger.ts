/** Every log level, from the most verbose; `silent` logs nothing. */
export const logLevels = ['debug', 'info', 'warn', 'error', 'silent'] as const;
/** A log level: lines below it are not written. */
export type LogLevel = (typeof logLevels)[number];

/**
 * Structured fields of a log line (`{ sessionId, error }`); an Error is written as its name and
 * message.
 */
export type LogFields = Record<string, unknown>;

/** The server logs through this interface; pass your own to route logs into your application's. */
export interface Logger {
  /** Detail for debugging a session; not written at the usual `info` level. */
  debug(message: string, fields?: LogFields): void;
  /** What an operator wants to know happened (start-up, transcoders started). */
  info(message: string, fields?: LogFields): void;
  /** Something went wrong and the server carried on (e.g. a refused client). */
  warn(message: string, fields?: LogFields): void;
  /** Something failed that should not have (e.g. a processing stage that died). */
  error(message: string, fields?: LogFields): void;
  /** A logger that adds `fields` to every line (e.g. `{ sessionId }`). */
  child(fields: LogFields): Logger;
}

const severity: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 99 };

export function isLogLevel(value: string): value is LogLevel {
  return (logLevels as readonly string[]).includes(value);
}

/**
 * Structured logs: one JSON object per line on stderr (`{"time","level","msg",...fields}`), so
 * that log shippers and `jq` read them without a parser of our own.
 */
export function createJsonLogger(
  level: LogLevel,
  write: (line: string) => void = (line) => process.stderr.write(line),
  bound: LogFields = {},
): Logger {
  const threshold = severity[level];
  const log = (lineLevel: Exclude<LogLevel, 'silent'>, message: string, fields?: LogFields) => {
    if (severity[lineLevel] < threshold) return;
    const entry = { time: new Date().toISOString(), level: lineLevel, msg: message, ...bound };
    write(`${safeStringify({ ...entry, ...fields })}\n`);
  };
  return {
    debug: (message, fields) => log('debug', message, fields),
    info: (message, fields) => log('info', message, fields),
    warn: (message, fields) => log('warn', message, fields),
    error: (message, fields) => log('error', message, fields),
    child: (fields) => createJsonLogger(level, write, { ...bound, ...fields }),
  };
}

function safeStringify(entry: LogFields): string {
  try {
    return JSON.stringify(entry, (_key, value: unknown) =>
      value instanceof Error ? { name: value.name, message: value.message } : value,
    );
  } catch {
    return JSON.stringify({ time: entry.time, level: entry.level, msg: entry.msg });
  }
}
