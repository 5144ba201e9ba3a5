/**
 * Default simulcast layers, lowest first: quarter, half and full resolution. The bitrates are
 * ceilings that keep the three layers within a typical 2.5 Mbps uplink.
 */
export function defaultSimulcastEncodings(): RTCRtpEncodingParameters[] {
  return [
    { rid: 'q', scaleResolutionDownBy: 4, maxBitrate: 150_000 },
    { rid: 'h', scaleResolutionDownBy: 2, maxBitrate: 500_000 },
    { rid: 'f', maxBitrate: 1_500_000 },
  ];
}

/**
 * Caps every encoding at `maxBitrate` bits per second, or lifts the cap when it is undefined.
 * `configured` are the encodings the sender was created with: a lower ceiling given there (a
 * simulcast layer's) stays in force, so raising the cap later restores it rather than erasing it.
 * A sender that was never negotiated has no encodings yet; it gets one.
 */
export function capEncodings(
  parameters: RTCRtpSendParameters,
  maxBitrate: number | undefined,
  configured: readonly RTCRtpEncodingParameters[] = [],
): RTCRtpSendParameters {
  if (parameters.encodings.length === 0) parameters.encodings = [{}];
  parameters.encodings.forEach((encoding, index) => {
    const ceiling = Math.min(
      configured[index]?.maxBitrate ?? Number.POSITIVE_INFINITY,
      maxBitrate ?? Number.POSITIVE_INFINITY,
    );
    if (ceiling === Number.POSITIVE_INFINITY) delete encoding.maxBitrate;
    else encoding.maxBitrate = ceiling;
  });
  return parameters;
}

/**
 * The layer to send when the remote side declined simulcast. The browser then keeps only the
 * first encoding, our lowest layer, so it must be lifted to the quality of the best one.
 */
export function bestLayer(layers: readonly RTCRtpEncodingParameters[]): RTCRtpEncodingParameters {
  return layers.reduce<RTCRtpEncodingParameters>(
    (best, layer) =>
      (layer.scaleResolutionDownBy ?? 1) < (best.scaleResolutionDownBy ?? 1) ? layer : best,
    layers[0] ?? {},
  );
}
