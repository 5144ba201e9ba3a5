/**
 * The URI with the password of its `user:password@` part replaced by `***`, for messages and
 * logs: Kurento's HTTP recording and RTSP cameras take credentials in the URI.
 */
export function redactCredentials(uri: string): string {
  return uri.replace(
    /^([a-z][a-z0-9+.-]*:\/\/)([^/?#]*)@/i,
    (_match, scheme: string, userInfo: string) => {
      const user = userInfo.split(':')[0] ?? '';
      return `${scheme}${user}${userInfo.includes(':') ? ':***' : ''}@`;
    },
  );
}

/** `text` (a GStreamer pipeline description, say) with every URI in it through `redactCredentials`. */
export function redactCredentialsIn(text: string): string {
  return text.replace(/[a-z][a-z0-9+.-]*:\/\/[^\s"']+/gi, redactCredentials);
}
