import type { PeerStats } from '@medley/webrtc-peer';
import { defineComponent, h, type PropType } from 'vue';
import { peerStatsRows } from '../../shared/peerStatsRows.js';

export const StatsPanel = defineComponent({
  name: 'StatsPanel',
  props: { stats: { type: Object as PropType<PeerStats>, required: true } },
  setup(props) {
    return () =>
      h(
        'div',
        { class: 'stats', id: 'stats' },
        peerStatsRows(props.stats).map(([label, value]) =>
          h('div', { key: label }, [h('span', label), value]),
        ),
      );
  },
});
