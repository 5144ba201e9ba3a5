/**
 * Kurento 6 event names and the Kurento 7 events they were renamed to (Kurento 7.0 release
 * notes). Objects raise only the Kurento 7 name; a subscriber that asked for an old name gets
 * the same event under the name it asked for, so 6.x clients keep working.
 */
const LEGACY_EVENT_NAMES: ReadonlyMap<string, string> = new Map(
  Object.entries({
    OnIceCandidate: 'IceCandidateFound',
    OnIceGatheringDone: 'IceGatheringDone',
    OnIceComponentStateChanged: 'IceComponentStateChanged',
    IceComponentStateChange: 'IceComponentStateChanged',
    OnDataChannelOpened: 'DataChannelOpened',
    DataChannelOpen: 'DataChannelOpened',
    OnDataChannelClosed: 'DataChannelClosed',
    DataChannelClose: 'DataChannelClosed',
    MediaFlowOutStateChange: 'MediaFlowOutStateChanged',
    MediaFlowInStateChange: 'MediaFlowInStateChanged',
    MediaTranscodingStateChange: 'MediaTranscodingStateChanged',
  }),
);

/** The Kurento 7 name of an event name a client subscribes to. */
export function currentEventName(name: string): string {
  return LEGACY_EVENT_NAMES.get(name) ?? name;
}
