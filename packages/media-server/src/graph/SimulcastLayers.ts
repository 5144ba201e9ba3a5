/** How long the bitrate of each layer is measured over. */
const MEASURE_WINDOW_MS = 1000;
/** Weight of the newest window in a layer's bitrate: encoders vary by ±10 % second to second. */
const SMOOTHING = 0.5;

/**
 * A layer above the current one must fit in this share of the receiver's estimate before a sink
 * moves up, so that an estimate just above a layer's bitrate does not make it flap.
 */
const UP_HEADROOM = 0.85;
/**
 * A sink stays on its layer until the estimate falls below this share of the layer's bitrate.
 * Browsers estimate from everything they receive (audio, headers) and start their estimate at
 * what arrives, so an uncongested receiver reports at least the layer's payload bitrate; on
 * congestion they drop it to 85 % of what arrives.
 */
const DOWN_THRESHOLD = 0.9;

/**
 * The payload bitrate of each simulcast layer a source sends, measured over one-second windows
 * and smoothed. Counting a packet is an addition; rates are recomputed once per window. A layer
 * silent for a whole window reads 0 (browsers pause their upper layers when short of bandwidth).
 */
export class LayerBitrates {
  #bytes: number[] = [];
  #bitrates: number[] = [];
  #windowStartMs: number;

  constructor(nowMs = performance.now()) {
    this.#windowStartMs = nowMs;
  }

  /** Bit/s per layer (index = layer; 0 for a silent layer), empty before the first window. */
  get bitrates(): readonly number[] {
    return this.#bitrates;
  }

  count(layer: number, bytes: number, nowMs: number): void {
    this.#bytes[layer] = (this.#bytes[layer] ?? 0) + bytes;
    const elapsedMs = nowMs - this.#windowStartMs;
    if (elapsedMs < MEASURE_WINDOW_MS) return;
    const layers = Math.max(this.#bytes.length, this.#bitrates.length);
    this.#bitrates = Array.from({ length: layers }, (_, index) => {
      const measured = ((this.#bytes[index] ?? 0) * 8000) / elapsedMs;
      const previous = this.#bitrates[index];
      if (measured === 0 || previous === undefined || previous === 0) return Math.round(measured);
      return Math.round(previous + SMOOTHING * (measured - previous));
    });
    this.#bytes = [];
    this.#windowStartMs = nowMs;
  }
}

/**
 * The simulcast layer a receiver should get: the highest active layer whose bitrate fits its
 * bandwidth estimate, the lowest active one when none fits, and the highest when nothing is
 * known about the receiver. Moving up needs headroom, moving down a clear shortfall (see
 * {@link UP_HEADROOM}, {@link DOWN_THRESHOLD}). Undefined while no layer is measured.
 */
export function chooseLayer(
  layerBitrates: readonly number[],
  receiverBitrate: number | undefined,
  currentLayer: number | undefined,
): number | undefined {
  let lowestActive: number | undefined;
  let chosen: number | undefined;
  layerBitrates.forEach((bitrate, layer) => {
    if (bitrate <= 0) return;
    lowestActive ??= layer;
    const share =
      currentLayer !== undefined && layer > currentLayer ? UP_HEADROOM : 1 / DOWN_THRESHOLD;
    if (receiverBitrate === undefined || bitrate <= receiverBitrate * share) chosen = layer;
  });
  return chosen ?? lowestActive;
}
