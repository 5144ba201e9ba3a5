/**
 * Orders codecs for `RTCRtpTransceiver.setCodecPreferences()`: the ones named in `preferred`
 * (`'video/VP8'`, or just `'VP8'`) first and in that order; the others keep their relative order
 * behind them, so RTX, RED and FEC stay negotiable and an unknown name never empties the list.
 */
export function preferCodecs<
  Codec extends {
    /** `type/subtype`, e.g. `video/VP8`, as in RTCRtpCodec. */
    mimeType: string;
  },
>(codecs: readonly Codec[], preferred: readonly string[]): Codec[] {
  const rank = (codec: Codec): number => {
    const subtype = codec.mimeType.slice(codec.mimeType.indexOf('/') + 1).toLowerCase();
    const index = preferred.findIndex((name) => {
      const wanted = name.toLowerCase();
      return wanted === subtype || wanted === codec.mimeType.toLowerCase();
    });
    return index === -1 ? preferred.length : index;
  };
  // Array.prototype.sort is stable, which keeps the unnamed codecs in the browser's order.
  return [...codecs].sort((a, b) => rank(a) - rank(b));
}
