import { defineComponent, h, ref } from 'vue';
import { ConnectionStatus } from './ConnectionStatus.js';
import { StatsPanel } from './StatsPanel.js';
import { useOneToManyViewer } from './useOneToManyViewer.js';

/** Watches the one-to-many demo's presenter (start one at /one2many/). */
export const ViewerView = defineComponent({
  name: 'ViewerView',
  setup() {
    const video = ref<HTMLVideoElement>();
    const viewer = useOneToManyViewer(video);
    return () => {
      const busy = viewer.state.value === 'starting' || viewer.state.value === 'watching';
      const count = viewer.viewers.value;
      return h('section', [
        h('p', [
          'Watches the presenter of the ',
          h('a', { href: '/one2many/' }, 'one-to-many demo'),
          ' (start presenting there first).',
        ]),
        h('div', { class: 'videos' }, [
          h('figure', [
            h('video', { id: 'viewerVideo', ref: video, autoplay: true, playsinline: true }),
            h('figcaption', 'The presenter'),
          ]),
        ]),
        h('div', { class: 'controls' }, [
          h(
            'button',
            { id: 'view', type: 'button', class: 'primary', disabled: busy, onClick: viewer.start },
            'View',
          ),
          h(
            'button',
            { id: 'leave', type: 'button', disabled: !busy, onClick: viewer.stop },
            'Leave',
          ),
          h('span', { id: 'viewerState', class: 'state' }, viewer.state.value),
          count === undefined
            ? null
            : h(
                'span',
                { id: 'viewers', class: 'state' },
                count === 1 ? '1 viewer' : `${count} viewers`,
              ),
        ]),
        h(ConnectionStatus, {
          signaling: viewer.signaling.value,
          media: viewer.connectionState.value,
        }),
        h('p', { id: 'viewerMessage', class: 'error', role: 'alert' }, viewer.message.value ?? ''),
        viewer.stats.value ? h(StatsPanel, { stats: viewer.stats.value, mode: 'recvonly' }) : null,
      ]);
    };
  },
});
