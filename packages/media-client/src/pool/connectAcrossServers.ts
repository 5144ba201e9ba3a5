import { isMediaServerError } from '../errors.js';
import type { MediaElement, MediaPipeline, WebRtcEndpoint } from '../model/api.js';
import type { MediaType } from '../model/values.js';

/** A link made by {@link connectAcrossServers}: one WebRtcEndpoint on each side. */
export interface ServerLink {
  /** On the source's server: fed by the source, it sends to `receiver`. */
  readonly sender: WebRtcEndpoint;
  /** In the target pipeline: connect it to the elements there, like the source itself. */
  readonly receiver: WebRtcEndpoint;
  /** Releases both endpoints (what is connected to the receiver loses its source). */
  release(): Promise<void>;
}

/**
 * Carries the media of `source` into `target`, a pipeline on another media server (or another
 * pipeline of the same one), the way mediasoup's pipeToRouter does: a sendonly WebRtcEndpoint fed
 * by the source on its server, a recvonly one in the target pipeline, negotiated and trickled by
 * this client. It is a WebRTC link, so keyframe requests (PLI) and retransmission requests (NACK)
 * of the receiving side cross it back to the source's server, which answers them as it does a
 * browser's. `mediaTypes` restricts it (audio only, say); both by default.
 *
 * Both servers must reach each other's candidates (same host or routable addresses). On failure
 * the endpoints made so far are released and the error is the server's.
 */
export async function connectAcrossServers(
  source: MediaElement,
  target: MediaPipeline,
  mediaTypes: readonly MediaType[] = ['AUDIO', 'VIDEO'],
): Promise<ServerLink> {
  const sourcePipeline = await source.getMediaPipeline();
  const created: WebRtcEndpoint[] = [];
  const release = () => Promise.all(created.map(releaseIfThere)).then(() => undefined);
  try {
    const sender = await sourcePipeline.create('WebRtcEndpoint', { sendonly: true });
    created.push(sender);
    const receiver = await target.create('WebRtcEndpoint', { recvonly: true });
    created.push(receiver);
    // Candidates found before the other side has its remote description fail to be added there;
    // gathering starts only after both descriptions are set, so none is lost.
    await sender.on('IceCandidateFound', ({ candidate }) => {
      receiver.addIceCandidate(candidate).catch(() => undefined);
    });
    await receiver.on('IceCandidateFound', ({ candidate }) => {
      sender.addIceCandidate(candidate).catch(() => undefined);
    });
    for (const mediaType of mediaTypes) await source.connect(sender, mediaType);
    const offer = await receiver.generateOffer({
      offerToReceiveAudio: mediaTypes.includes('AUDIO'),
      offerToReceiveVideo: mediaTypes.includes('VIDEO'),
    });
    await receiver.processAnswer(await sender.processOffer(offer));
    await Promise.all([sender.gatherCandidates(), receiver.gatherCandidates()]);
    return { sender, receiver, release };
  } catch (error) {
    // The failure is what the caller needs to hear; a release that fails too adds nothing.
    await release().catch(() => undefined);
    throw error;
  }
}

async function releaseIfThere(endpoint: WebRtcEndpoint): Promise<void> {
  try {
    await endpoint.release();
  } catch (error) {
    // Released with its pipeline already: nothing is left to release.
    if (!isMediaServerError(error, 'MEDIA_OBJECT_NOT_FOUND')) throw error;
  }
}
