import { InvalidParamError } from '../errors.js';
import * as t from '../objects/valueTypes.js';

/**
 * Kurento's `WindowParam` (chroma and pointerdetector modules): a rectangle of the frame in
 * pixels. Despite the names, `topRightCorner` is the rectangle's top-left corner, as KMS uses it.
 */
export const WindowParam = t.register('WindowParam', {
  topRightCornerX: t.int,
  topRightCornerY: t.int,
  width: t.int,
  height: t.int,
});

/** A rectangle of the frame in pixels, as a vision analyser of the stage takes it. */
export interface PixelRect {
  /** Left edge, in pixels from the frame's left. */
  readonly x: number;
  /** Top edge, in pixels from the frame's top. */
  readonly y: number;
  /** Width in pixels. */
  readonly width: number;
  /** Height in pixels. */
  readonly height: number;
}

/**
 * Checks a rectangle in pixels: a corner at or right of and below the frame's top-left corner,
 * and a size of at least one pixel. Parts outside the frame are cut off when frames come.
 * @throws InvalidParamError naming `typeName`'s parameter `name`
 */
export function checkRect(typeName: string, name: string, rect: PixelRect): PixelRect {
  if (rect.width <= 0 || rect.height <= 0) {
    throw new InvalidParamError(
      `${typeName} '${name}' must be at least 1x1 pixels, got ${rect.width}x${rect.height}`,
    );
  }
  if (rect.x < 0 || rect.y < 0) {
    throw new InvalidParamError(
      `${typeName} '${name}' must start inside the frame (corner x and y from 0, in pixels), got ${rect.x},${rect.y}`,
    );
  }
  return rect;
}

/** A WindowParam as a checked rectangle. */
export function windowRect(
  typeName: string,
  name: string,
  window: t.ParsedParams<typeof WindowParam.fields>,
): PixelRect {
  return checkRect(typeName, name, {
    x: window.topRightCornerX,
    y: window.topRightCornerY,
    width: window.width,
    height: window.height,
  });
}
