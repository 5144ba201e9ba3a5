import type { PeerStats, WebRtcPeerMode } from '@medley/webrtc-peer';
import { defineComponent, h, type PropType } from 'vue';

/** The live stats panel of every demo page: demo-page.js's rows, rendered by Vue. */
export const StatsPanel = defineComponent({
  name: 'StatsPanel',
  props: {
    stats: { type: Object as PropType<PeerStats>, required: true },
    mode: { type: String as PropType<WebRtcPeerMode>, default: 'sendrecv' },
  },
  setup(props) {
    return () =>
      h(
        'div',
        { class: 'stats', id: 'stats' },
        demoPage
          .peerStatsRows(props.stats, props.mode)
          .map(({ key, label, value }) =>
            h('div', { key }, [h('span', label), h('b', { 'data-stat': key }, value)]),
          ),
      );
  },
});
