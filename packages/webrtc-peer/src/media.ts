import { mediaError, WebRtcPeerError } from './errors.js';

/** What a peer captures: the camera and microphone, or the screen (getDisplayMedia). */
export type SendSource = 'webcam' | 'screen';

/** What a peer captures when the caller gives neither constraints nor streams (as kurento-utils). */
export const defaultMediaConstraints: MediaStreamConstraints = {
  audio: true,
  video: { width: 640, frameRate: 15 },
};

/**
 * Captures the camera/microphone, or the screen together with its audio when the browser
 * offers it (a tab or the whole system); the tracks belong to the caller of this function.
 */
export async function captureMedia(
  source: SendSource,
  constraints: MediaStreamConstraints = defaultMediaConstraints,
): Promise<MediaStream> {
  const devices = globalThis.navigator?.mediaDevices;
  if (!devices) {
    throw new WebRtcPeerError(
      'MEDIA_UNSUPPORTED',
      'navigator.mediaDevices is missing: serve the page over https (or from localhost) in a WebRTC-capable browser.',
    );
  }
  try {
    if (source === 'screen') {
      return await devices.getDisplayMedia({
        video: constraints.video ?? true,
        audio: constraints.audio ?? true,
      });
    }
    return await devices.getUserMedia(constraints);
  } catch (error) {
    throw mediaError(error, source);
  }
}

/** Shows `stream` in `element` and starts playback; a refused autoplay is not an error here. */
export function attachStream(element: HTMLMediaElement, stream: MediaStream, muted: boolean): void {
  if (element.srcObject !== stream) element.srcObject = stream;
  element.muted = muted;
  element.autoplay = true;
  if (element instanceof HTMLVideoElement) element.playsInline = true;
  element.play().catch(() => {});
}

export function detachStream(element: HTMLMediaElement | undefined, stream: MediaStream): void {
  if (element?.srcObject !== stream) return;
  element.pause();
  element.srcObject = null;
}
