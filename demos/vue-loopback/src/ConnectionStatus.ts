import { defineComponent, h, type PropType } from 'vue';
import type { SignalingStatus } from '../../public/demo-page.js';

/** The plain pages' connection line: the demo server and the media connection, in words. */
export const ConnectionStatus = defineComponent({
  name: 'ConnectionStatus',
  props: {
    signaling: { type: Object as PropType<SignalingStatus>, default: undefined },
    media: { type: String as PropType<RTCPeerConnectionState>, default: undefined },
  },
  setup(props) {
    return () =>
      h('p', { id: 'connection', class: 'connection', role: 'status' }, [
        props.signaling
          ? h(
              'span',
              { 'data-link': 'server', 'data-state': props.signaling.state },
              `Demo server: ${demoPage.signalingStateInWords(props.signaling.state, props.signaling)}`,
            )
          : null,
        props.media
          ? h(
              'span',
              { 'data-link': 'media', 'data-state': props.media },
              `Media: ${demoPage.mediaStateInWords(props.media)}`,
            )
          : null,
      ]);
  },
});
