// Janus's configuration for the fan-out baseline, as libconfig (.jcfg) text. Only what the
// benchmark needs is loaded: the plugin and transport folders hold links to the streaming plugin
// and the HTTP transport alone, so Janus starts fast and opens no other socket.

export interface JanusConfigInput {
  readonly configsFolder: string;
  readonly pluginsFolder: string;
  readonly transportsFolder: string;
  /** Holds nothing: no event handlers and no loggers are loaded. */
  readonly emptyFolder: string;
  readonly eventLoops: number;
  /** The only interface Janus gathers ICE candidates on. */
  readonly interfaceName: string;
  /** That interface's IPv4 address, which Janus also writes into its SDP `c=` lines. */
  readonly interfaceAddress: string;
  /** 0 none … 4 info (Janus's default) … 7 everything. */
  readonly debugLevel: number;
  readonly httpPort: number;
  readonly rtp: RtpMountpointInput;
}

export interface RtpMountpointInput {
  readonly id: number;
  /** Where the mountpoint's RTP sockets bind. */
  readonly host: string;
  readonly videoPort: number;
  readonly audioPort: number;
}

/** The streaming plugin's codecs, as the publisher sends them. */
export const MOUNTPOINT_CODECS = {
  video: { payloadType: 96, codec: 'vp8', clockRate: 90_000 },
  audio: { payloadType: 111, codec: 'opus', clockRate: 48_000, channels: 2 },
} as const;

export function janusConfig(input: JanusConfigInput): string {
  return `general: {
  configs_folder = ${quoted(input.configsFolder)}
  plugins_folder = ${quoted(input.pluginsFolder)}
  transports_folder = ${quoted(input.transportsFolder)}
  events_folder = ${quoted(input.emptyFolder)}
  loggers_folder = ${quoted(input.emptyFolder)}
  debug_level = ${input.debugLevel}
  debug_colors = false
  server_name = "medley-fanout-baseline"
  interface = ${quoted(input.interfaceAddress)}
  # Sessions live as long as the benchmark: no keepalive is needed, however long a level runs.
  session_timeout = 0
  event_loops = ${input.eventLoops}
}
certificates: {
}
media: {
  ipv6 = false
}
nat: {
  nice_debug = false
  ignore_mdns = true
  full_trickle = false
  ice_lite = false
  ice_tcp = false
  ice_enforce_list = ${quoted(input.interfaceName)}
}
plugins: {
}
transports: {
}
loggers: {
}
events: {
  broadcast = false
}
`;
}

export function httpTransportConfig(input: Pick<JanusConfigInput, 'httpPort'>): string {
  return `general: {
  json = "compact"
  base_path = "/janus"
  http = true
  ip = "127.0.0.1"
  port = ${input.httpPort}
  https = false
}
admin: {
  admin_http = false
  admin_https = false
}
cors: {
}
`;
}

export function streamingPluginConfig(rtp: RtpMountpointInput): string {
  const { video, audio } = MOUNTPOINT_CODECS;
  return `general: {
  events = false
}
fanout: {
  type = "rtp"
  id = ${rtp.id}
  description = "Medley fan-out benchmark"
  media = (
    {
      type = "video"
      mid = "v"
      port = ${rtp.videoPort}
      iface = ${quoted(rtp.host)}
      pt = ${video.payloadType}
      codec = ${quoted(video.codec)}
    },
    {
      type = "audio"
      mid = "a"
      port = ${rtp.audioPort}
      iface = ${quoted(rtp.host)}
      pt = ${audio.payloadType}
      codec = ${quoted(audio.codec)}
    }
  )
}
`;
}

function quoted(value: string): string {
  return JSON.stringify(value);
}
