/**
 * The STUN and TURN servers a WHIP/WHEP answer names in its `Link` headers (RFC 9725 §4.6):
 * `<stun:host:port>; rel="ice-server"`, with `username` and `credential` for TURN. Links of
 * other relations are skipped. `header` is `Headers.get('Link')`: several headers joined by
 * commas.
 */
export function iceServersFromLinks(header: string | null): RTCIceServer[] {
  const servers: RTCIceServer[] = [];
  for (const [, url, parameters = ''] of (header ?? '').matchAll(/<([^>]*)>([^<]*)/g)) {
    if (!url || !/;\s*rel="?ice-server"?\s*(;|,|$)/i.test(parameters)) continue;
    const parameter = (name: string) =>
      new RegExp(`;\\s*${name}="([^"]*)"`, 'i').exec(parameters)?.[1];
    const username = parameter('username');
    const credential = parameter('credential');
    servers.push(
      username === undefined || credential === undefined
        ? { urls: url }
        : { urls: url, username, credential },
    );
  }
  return servers;
}
