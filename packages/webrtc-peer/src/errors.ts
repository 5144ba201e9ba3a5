/** What went wrong, as a value the caller can branch on. */
export type WebRtcPeerErrorCode =
  | 'MEDIA_PERMISSION_DENIED'
  | 'DEVICE_NOT_FOUND'
  | 'DEVICE_IN_USE'
  | 'CONSTRAINTS_UNSATISFIABLE'
  | 'MEDIA_UNSUPPORTED'
  | 'NEGOTIATION_FAILED'
  | 'ICE_FAILED'
  | 'DATA_CHANNEL_FAILED'
  | 'INVALID_STATE';

/**
 * Every failure of this package: `code` says what went wrong (branch on it), the message says
 * what to do about it, and `cause` holds the browser's own error when there is one.
 */
export class WebRtcPeerError extends Error {
  /** Always `'WebRtcPeerError'`. */
  override readonly name = 'WebRtcPeerError';

  constructor(
    /** What went wrong. */
    readonly code: WebRtcPeerErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function invalidState(message: string): WebRtcPeerError {
  return new WebRtcPeerError('INVALID_STATE', message);
}

export function negotiationFailed(what: string, cause: unknown): WebRtcPeerError {
  if (cause instanceof WebRtcPeerError) return cause;
  return new WebRtcPeerError(
    'NEGOTIATION_FAILED',
    `${what} failed: ${describe(cause)}. Check that both sides speak the same SDP and retry the offer/answer exchange.`,
    { cause },
  );
}

/**
 * Translates a getUserMedia/getDisplayMedia rejection (a DOMException whose `name` is the only
 * reliable signal across browsers) into an error that tells a person what to do.
 */
export function mediaError(cause: unknown, source: 'webcam' | 'screen'): WebRtcPeerError {
  const name = cause instanceof Error ? cause.name : '';
  const device = source === 'screen' ? 'screen capture' : 'camera/microphone';
  switch (name) {
    case 'NotAllowedError':
    case 'SecurityError':
      return new WebRtcPeerError(
        'MEDIA_PERMISSION_DENIED',
        `Access to the ${device} was denied. Allow it in the browser's site permissions and serve the page over https or from localhost.`,
        { cause },
      );
    case 'NotFoundError':
      return new WebRtcPeerError(
        'DEVICE_NOT_FOUND',
        `No ${device} matches the request. Connect a device or ask for fewer media kinds (e.g. audio only).`,
        { cause },
      );
    case 'NotReadableError':
    case 'AbortError':
      return new WebRtcPeerError(
        'DEVICE_IN_USE',
        `The ${device} could not be started. Close other applications using it and try again.`,
        { cause },
      );
    case 'OverconstrainedError':
      return new WebRtcPeerError(
        'CONSTRAINTS_UNSATISFIABLE',
        `No ${device} satisfies the media constraints (${describe(cause)}). Relax mediaConstraints, e.g. use "ideal" instead of "exact".`,
        { cause },
      );
    default:
      return new WebRtcPeerError(
        'MEDIA_UNSUPPORTED',
        `Could not capture the ${device}: ${describe(cause)}. Use a browser with WebRTC support, on a secure (https or localhost) page.`,
        { cause },
      );
  }
}

function describe(cause: unknown): string {
  if (cause instanceof Error) {
    const constraint = (cause as { constraint?: unknown }).constraint;
    if (typeof constraint === 'string' && constraint) return `constraint "${constraint}"`;
    return cause.message || cause.name;
  }
  return String(cause);
}
