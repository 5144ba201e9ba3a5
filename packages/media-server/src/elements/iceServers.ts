import type { IceServer } from '../transport/index.js';

export interface IceServerSettings {
  readonly stunServerAddress: string | undefined;
  readonly stunServerPort: number | undefined;
  readonly turnUrl: string | undefined;
}

const TURN_URL = /^([^:@]+):([^@]*)@([^?@]+?)(?:\?transport=(udp|tcp|tls))?$/;

/** Whether `turnUrl` has Kurento's `user:password@host:port[?transport=udp|tcp|tls]` shape. */
export function isTurnUrl(turnUrl: string): boolean {
  return TURN_URL.test(turnUrl);
}

/** Kurento's STUN and TURN settings as RTCIceServer entries; empty when none are set. */
export function iceServersFor(settings: IceServerSettings): IceServer[] {
  const servers: IceServer[] = [];
  const { stunServerAddress, stunServerPort, turnUrl } = settings;
  if (stunServerAddress) {
    const host = stunServerAddress.includes(':') ? `[${stunServerAddress}]` : stunServerAddress;
    servers.push({ urls: `stun:${host}:${stunServerPort ?? 3478}` });
  }
  const turn = turnUrl ? TURN_URL.exec(turnUrl) : null;
  if (turn) {
    const [, username = '', credential = '', hostPort = '', transport] = turn;
    const scheme = transport === 'tls' ? 'turns' : 'turn';
    const query = transport && transport !== 'tls' ? `?transport=${transport}` : '';
    servers.push({ urls: `${scheme}:${hostPort}${query}`, username, credential });
  }
  return servers;
}

/**
 * The STUN and TURN server URLs of Kurento's settings, without the TURN credentials: what the
 * stats of server-reflexive and relayed candidates name as their `addressSourceUrl`.
 */
export function iceServerUrls(settings: IceServerSettings): {
  stunUrl: string | undefined;
  turnUrl: string | undefined;
} {
  const servers = iceServersFor(settings);
  const urlOf = (server: IceServer | undefined) =>
    server === undefined ? undefined : [server.urls].flat()[0];
  return {
    stunUrl: urlOf(servers.find((server) => server.username === undefined)),
    turnUrl: urlOf(servers.find((server) => server.username !== undefined)),
  };
}
