import { parseArgs } from 'node:util';
import { ConfigurationError } from '../errors.js';
import { isLogLevel, logLevels } from '../logger.js';
import { parseIceServerUrl, type WhipOptions } from '../whip/WhipOptions.js';
import {
  DEFAULT_MAX_LOAD,
  DEFAULT_MAX_MESSAGE_BYTES,
  DEFAULT_MEDIA_ROOT,
  DEFAULT_PATH,
  DEFAULT_PORT,
  DEFAULT_SESSION_GRACE_PERIOD_MS,
  type IceOptions,
  isSendPath,
  type MediaServerOptions,
} from './options.js';
import { isTranscodingMode, type ProcessingOptions } from './processingOptions.js';

/** Each flag and the environment variable that sets it when the flag is absent. */
const FLAGS = {
  host: {
    env: 'MEDLEY_HOST',
    value: '<address>',
    help: 'interface to listen on (default 127.0.0.1: this machine only; 0.0.0.0 for all)',
  },
  port: {
    env: 'MEDLEY_PORT',
    value: '<port>',
    help: `WebSocket port (default ${DEFAULT_PORT}; 0 picks a free one)`,
  },
  path: { env: 'MEDLEY_PATH', value: '<path>', help: `WebSocket path (default ${DEFAULT_PATH})` },
  'access-token': {
    env: 'MEDLEY_ACCESS_TOKEN',
    value: '<token>',
    help: 'require ?access_token=<token> on the WebSocket URL (kurento-client option access_token); empty is an error. Prefer the variable: a flag is visible to every user in ps',
  },
  'max-message-size': {
    env: 'MEDLEY_MAX_MESSAGE_SIZE',
    value: '<bytes>',
    help: `largest accepted request (default ${DEFAULT_MAX_MESSAGE_BYTES})`,
  },
  'session-grace-period': {
    env: 'MEDLEY_SESSION_GRACE_PERIOD',
    value: '<seconds>',
    help: `how long a disconnected session keeps its objects for a reconnect (default ${DEFAULT_SESSION_GRACE_PERIOD_MS / 1000})`,
  },
  'ice-port-range': {
    env: 'MEDLEY_ICE_PORT_RANGE',
    value: '<min-max>',
    help: 'UDP ports for ICE, e.g. 40000-40999 (default: any)',
  },
  'ice-udp-port': {
    env: 'MEDLEY_ICE_UDP_PORT',
    value: '<port>',
    help: 'one UDP port for the ICE of every WebRtcEndpoint (IPv4), e.g. for a firewall that opens one port; also sends each packet to all its subscribers in one sendmmsg (default: a port per endpoint)',
  },
  'ice-host-addresses': {
    env: 'MEDLEY_ICE_HOST_ADDRESSES',
    value: '<a,b>',
    help: 'extra local addresses to gather candidates on (default 127.0.0.1; empty for none)',
  },
  'external-ipv4': {
    env: 'MEDLEY_EXTERNAL_IPV4',
    value: '<address>',
    help: 'public IPv4 to announce in candidates (server behind NAT)',
  },
  'external-ipv6': {
    env: 'MEDLEY_EXTERNAL_IPV6',
    value: '<address>',
    help: 'public IPv6 to announce in candidates',
  },
  'stun-server': {
    env: 'MEDLEY_STUN_SERVER',
    value: '<host:port>',
    help: 'STUN server (default none: no outside host is ever contacted)',
  },
  'turn-url': {
    env: 'MEDLEY_TURN_URL',
    value: '<user:password@host:port>',
    help: 'TURN relay, as Kurento writes it (optional ?transport=udp|tcp|tls)',
  },
  'media-root': {
    env: 'MEDLEY_MEDIA_ROOT',
    value: '<directory>',
    help: `where recorder and player URIs resolve; nothing outside is read or written (default ${DEFAULT_MEDIA_ROOT})`,
  },
  'allow-http-playback': {
    env: 'MEDLEY_ALLOW_HTTP_PLAYBACK',
    value: '<true|false>',
    help: 'let PlayerEndpoint fetch http(s) URIs (default false); public hosts only, see --allow-http-hosts',
  },
  'allow-http-recording': {
    env: 'MEDLEY_ALLOW_HTTP_RECORDING',
    value: '<true|false>',
    help: 'let RecorderEndpoint upload to http(s) URIs as it records (chunked POST; default false); public hosts only, see --allow-http-hosts',
  },
  'allow-http-hosts': {
    env: 'MEDLEY_ALLOW_HTTP_HOSTS',
    value: '<list>',
    help: 'internal hosts players may fetch from (and recorders upload to) too: host names, addresses or CIDR ranges, comma-separated (default none: loopback, private and link-local addresses are refused)',
  },
  'max-load': {
    env: 'MEDLEY_MAX_LOAD',
    value: '<share>',
    help: `refuse new endpoints (40009) while a media event loop is busier than this, 0-1 (default ${DEFAULT_MAX_LOAD}; 1 admits all)`,
  },
  'send-workers': {
    env: 'MEDLEY_SEND_WORKERS',
    value: '<count>',
    help: 'worker threads that encrypt and send outgoing media, for fan-out beyond one core (default 0)',
  },
  'send-path': {
    env: 'MEDLEY_SEND_PATH',
    value: '<native|direct|werift>',
    help: "how RTP leaves: native SRTP + sendmsg (default where built), the same in JavaScript, or werift's RTCRtpSender",
  },
  transcoding: {
    env: 'MEDLEY_TRANSCODING',
    value: '<auto|never>',
    help: 'links between codecs that do not match get a transcoder (auto, default) or are refused (never)',
  },
  'filter-allow': {
    env: 'MEDLEY_FILTER_ALLOW',
    value: '<factory,factory>',
    help: 'more GStreamer element factories GStreamerFilter commands may use (never file, socket or program elements)',
  },
  'gst-python': {
    env: 'MEDLEY_GST_PYTHON',
    value: '<path>',
    help: 'python3 with PyGObject and GStreamer for processing stages (default /usr/bin/python3)',
  },
  'metrics-port': {
    env: 'MEDLEY_METRICS_PORT',
    value: '<port>',
    help: 'serve Prometheus metrics at GET /metrics on this port of --host (default off; 0 picks a free one)',
  },
  whip: {
    env: 'MEDLEY_WHIP',
    value: '',
    switch: true,
    help: 'serve WHIP (POST /whip/{stream}) and WHEP (POST /whep/{stream}) on the WebSocket port (default off; env true|false)',
  },
  'whip-token': {
    env: 'MEDLEY_WHIP_TOKEN',
    value: '<token>',
    help: 'with --whip: POSTs must send "Authorization: Bearer <token>" (default none: anyone reaching the port may publish). Prefer the variable',
  },
  'whip-allow-origin': {
    env: 'MEDLEY_WHIP_ALLOW_ORIGIN',
    value: '<origin,origin|*>',
    help: 'with --whip: web origins whose pages may publish and play (CORS), e.g. https://studio.example.com (default none)',
  },
  'whip-ice-servers': {
    env: 'MEDLEY_WHIP_ICE_SERVERS',
    value: '<url,url>',
    help: 'with --whip: STUN/TURN servers told to clients in Link headers: stun:host:port, turn:user:password@host:port[?transport=udp]',
  },
  'log-level': {
    env: 'MEDLEY_LOG_LEVEL',
    value: `<${logLevels.join('|')}>`,
    help: 'JSON log lines on stderr at this level and above (default info)',
  },
} as const;

type FlagName = keyof typeof FLAGS;

export type CommandLine =
  | { readonly kind: 'help'; readonly text: string }
  | { readonly kind: 'version' }
  | { readonly kind: 'repair'; readonly files: readonly string[] }
  | { readonly kind: 'serve'; readonly options: MediaServerOptions };

export function usage(): string {
  const lines = [
    'Usage: medley-media-server [options]',
    '       medley-media-server repair FILE...   finish WebM/MKV recordings cut short by a crash',
    '                                            (writes their Duration, Cues and sizes)',
    '',
    'A media server speaking the Kurento Protocol (JSON-RPC over WebSocket), so kurento-client',
    'applications can use it unchanged. Each option can also be set with its environment variable.',
    '',
    'Options:',
  ];
  for (const [name, flag] of Object.entries(FLAGS)) {
    lines.push(
      `  --${name}${flag.value ? ` ${flag.value}` : ''}`,
      `      ${flag.help}`,
      `      env ${flag.env}`,
    );
  }
  lines.push('  --help', '      print this help', '  --version', '      print the version');
  return `${lines.join('\n')}\n`;
}

function integer(text: string, what: string): number {
  if (!/^\d+$/.test(text.trim()))
    throw new ConfigurationError(`${what} must be a whole number, got '${text}'`);
  return Number(text);
}

function commaSeparated(text: string): string[] {
  return text
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
}

function portRange(text: string): { min: number; max: number } {
  const match = /^(\d+)-(\d+)$/.exec(text.trim());
  if (!match?.[1] || !match[2])
    throw new ConfigurationError(`--ice-port-range must be min-max, got '${text}'`);
  return { min: Number(match[1]), max: Number(match[2]) };
}

/** Turns flags (winning) and MEDLEY_* variables into server options. */
export function parseCommandLine(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): CommandLine {
  if (argv[0] === 'repair') {
    const files = argv.slice(1);
    if (files.length === 0 || files.some((file) => file.startsWith('-'))) {
      throw new ConfigurationError('repair takes the recordings to finish: repair FILE...');
    }
    return { kind: 'repair', files };
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        ...Object.fromEntries(
          Object.entries(FLAGS).map(([name, flag]) => [
            name,
            { type: 'switch' in flag ? ('boolean' as const) : ('string' as const) },
          ]),
        ),
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean' },
      },
    });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ConfigurationError(`${reason}\nRun medley-media-server --help for the options.`);
  }
  if (parsed.values.help) return { kind: 'help', text: usage() };
  if (parsed.values.version) return { kind: 'version' };

  const read = (name: FlagName): string | undefined => {
    const flag = parsed.values[name];
    if (flag === true) return 'true';
    return typeof flag === 'string' ? flag : env[FLAGS[name].env];
  };
  const logLevel = read('log-level');
  if (logLevel !== undefined && !isLogLevel(logLevel)) {
    throw new ConfigurationError(
      `--log-level must be one of ${logLevels.join(', ')}, got '${logLevel}'`,
    );
  }
  const port = read('port');
  const maxMessageSize = read('max-message-size');
  const gracePeriod = read('session-grace-period');
  const range = read('ice-port-range');
  const hostAddresses = read('ice-host-addresses');
  const udpPort = read('ice-udp-port');
  const ice: IceOptions = {
    ...(range ? { portRange: portRange(range) } : {}),
    ...(udpPort !== undefined ? { udpPort: integer(udpPort, '--ice-udp-port') } : {}),
    ...(hostAddresses !== undefined ? { hostAddresses: commaSeparated(hostAddresses) } : {}),
    ...optional('externalIPv4', read('external-ipv4')),
    ...optional('externalIPv6', read('external-ipv6')),
    ...optional('stunServer', read('stun-server')),
    ...optional('turnUrl', read('turn-url')),
  };
  const allowHttpPlayback = read('allow-http-playback');
  if (allowHttpPlayback !== undefined && !['true', 'false'].includes(allowHttpPlayback)) {
    throw new ConfigurationError(
      `--allow-http-playback must be true or false, got '${allowHttpPlayback}'`,
    );
  }
  const allowHttpRecording = read('allow-http-recording');
  if (allowHttpRecording !== undefined && !['true', 'false'].includes(allowHttpRecording)) {
    throw new ConfigurationError(
      `--allow-http-recording must be true or false, got '${allowHttpRecording}'`,
    );
  }
  const transcoding = read('transcoding');
  if (transcoding !== undefined && !isTranscodingMode(transcoding)) {
    throw new ConfigurationError(`--transcoding must be auto or never, got '${transcoding}'`);
  }
  const filterAllow = read('filter-allow');
  const processing: ProcessingOptions = {
    ...(transcoding !== undefined ? { transcoding } : {}),
    ...(filterAllow ? { allowFilterElements: commaSeparated(filterAllow) } : {}),
    ...optional('python', read('gst-python')),
  };
  const whip = whipOptions(read);
  const metricsPort = read('metrics-port');
  const maxLoad = read('max-load');
  const sendWorkers = read('send-workers');
  const sendPath = read('send-path');
  if (sendPath !== undefined && !isSendPath(sendPath)) {
    throw new ConfigurationError(`--send-path must be native, direct or werift, got '${sendPath}'`);
  }
  if (maxLoad !== undefined && !(Number(maxLoad) > 0 && Number(maxLoad) <= 1)) {
    throw new ConfigurationError(`--max-load must be a share in (0, 1], got '${maxLoad}'`);
  }
  let sessionGracePeriodMs: number | undefined;
  if (gracePeriod !== undefined) {
    const seconds = Number(gracePeriod);
    if (!Number.isFinite(seconds) || seconds < 0) {
      throw new ConfigurationError(
        `--session-grace-period must be seconds >= 0, got '${gracePeriod}'`,
      );
    }
    sessionGracePeriodMs = seconds * 1000;
  }
  return {
    kind: 'serve',
    options: {
      ...optional('host', read('host')),
      ...(port !== undefined ? { port: integer(port, '--port') } : {}),
      ...optional('path', read('path')),
      ...(read('access-token') !== undefined ? { accessToken: read('access-token') } : {}),
      ...(maxMessageSize !== undefined
        ? { maxMessageBytes: integer(maxMessageSize, '--max-message-size') }
        : {}),
      ...(sessionGracePeriodMs !== undefined ? { sessionGracePeriodMs } : {}),
      ...(logLevel !== undefined ? { logLevel } : {}),
      ...(metricsPort ? { metricsPort: integer(metricsPort, '--metrics-port') } : {}),
      // A standalone server's event loops carry nothing but media: admission control is on.
      maxLoad: maxLoad !== undefined ? Number(maxLoad) : DEFAULT_MAX_LOAD,
      ...(sendPath !== undefined ? { sendPath } : {}),
      ...(sendWorkers !== undefined ? { sendWorkers: integer(sendWorkers, '--send-workers') } : {}),
      ...optional('mediaRoot', read('media-root')),
      ...(allowHttpPlayback !== undefined
        ? { allowHttpPlayback: allowHttpPlayback === 'true' }
        : {}),
      ...(allowHttpRecording !== undefined
        ? { allowHttpRecording: allowHttpRecording === 'true' }
        : {}),
      ...(read('allow-http-hosts')
        ? { allowHttpHosts: commaSeparated(read('allow-http-hosts') as string) }
        : {}),
      ice,
      processing,
      ...(whip ? { whip } : {}),
    },
  };
}

/** `--whip` and its settings; the settings without `--whip` are a mistake worth telling. */
function whipOptions(read: (name: FlagName) => string | undefined): WhipOptions | undefined {
  const enabled = read('whip');
  if (enabled !== undefined && !['true', 'false'].includes(enabled)) {
    throw new ConfigurationError(`MEDLEY_WHIP must be true or false, got '${enabled}'`);
  }
  const token = read('whip-token');
  const origins = read('whip-allow-origin');
  const iceServers = read('whip-ice-servers');
  if (enabled !== 'true') {
    const given = (['whip-token', 'whip-allow-origin', 'whip-ice-servers'] as const).filter(
      (name) => read(name) !== undefined,
    );
    if (given.length > 0) {
      throw new ConfigurationError(`--${given.join(', --')} need --whip (WHIP is off by default)`);
    }
    return undefined;
  }
  return {
    ...(token !== undefined ? { token } : {}),
    ...(origins ? { allowOrigins: commaSeparated(origins) } : {}),
    ...(iceServers ? { iceServers: commaSeparated(iceServers).map(parseIceServerUrl) } : {}),
  };
}

function optional<K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> {
  return value === undefined || value === '' ? {} : ({ [key]: value } as Record<K, string>);
}
