import type { WhipIceServer } from './WhipOptions.js';

/**
 * The `Link` header values that tell a WHIP/WHEP client its STUN and TURN servers (RFC 9725
 * §4.6): `<stun:host:port>; rel="ice-server"`, with `username`, `credential` and
 * `credential-type="password"` for a TURN server.
 */
export function iceServerLinks(servers: readonly WhipIceServer[]): string[] {
  const links: string[] = [];
  for (const server of servers) {
    const urls = typeof server.urls === 'string' ? [server.urls] : server.urls;
    const credentials =
      server.username !== undefined && server.credential !== undefined
        ? `; username="${server.username}"; credential="${server.credential}"; credential-type="password"`
        : '';
    for (const url of urls) links.push(`<${url}>; rel="ice-server"${credentials}`);
  }
  return links;
}
