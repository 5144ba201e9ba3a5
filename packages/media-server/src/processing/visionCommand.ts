/** The analysers a stage runs on video frames (gst/medley_vision.py). */
export type VisionAnalyser = 'chroma' | 'pointer' | 'crowd' | 'plate';

/**
 * The command fragment of a filter whose frames go through a vision analyser of the stage: BGR
 * frames leave the pipeline at `<slot>_sink` (behind a leaky queue of one frame, so a slow
 * analyser drops frames instead of holding the decoder back) and come back at `<slot>_src`
 * with their own timestamps. `slot` must start with `medley_` (the server's own names).
 */
export function visionCommand(slot: string): string {
  return (
    `videoconvert ! video/x-raw,format=BGR ! queue max-size-buffers=1 leaky=downstream ! ` +
    `appsink name=${slot}_sink sync=false async=false max-buffers=1 drop=true ` +
    `appsrc name=${slot}_src format=time is-live=true ! videoconvert`
  );
}
