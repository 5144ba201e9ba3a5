import { defineComponent, h, ref } from 'vue';
import { ConnectionStatus } from './ConnectionStatus.js';
import { StatsPanel } from './StatsPanel.js';
import { useLoopbackCall } from './useLoopbackCall.js';

export const LoopbackView = defineComponent({
  name: 'LoopbackView',
  setup() {
    const localVideo = ref<HTMLVideoElement>();
    const remoteVideo = ref<HTMLVideoElement>();
    const call = useLoopbackCall(localVideo, remoteVideo);

    return () => {
      const busy = call.state.value === 'starting' || call.state.value === 'connected';
      return h('section', [
        h('div', { class: 'videos' }, [
          h('figure', [
            h('video', {
              id: 'localVideo',
              ref: localVideo,
              autoplay: true,
              playsinline: true,
              muted: true,
            }),
            h('figcaption', 'Local'),
          ]),
          h('figure', [
            h('video', { id: 'remoteVideo', ref: remoteVideo, autoplay: true, playsinline: true }),
            h('figcaption', 'Remote (from the media server)'),
          ]),
        ]),
        h('div', { class: 'controls' }, [
          h(
            'button',
            { id: 'start', type: 'button', class: 'primary', disabled: busy, onClick: call.start },
            'Start',
          ),
          h('button', { id: 'stop', type: 'button', disabled: !busy, onClick: call.stop }, 'Stop'),
          h('span', { id: 'state', class: 'state' }, call.state.value),
        ]),
        h(ConnectionStatus, {
          signaling: call.signaling.value,
          media: call.connectionState.value,
        }),
        h('p', { id: 'error', class: 'error', role: 'alert' }, call.error.value ?? ''),
        call.stats.value ? h(StatsPanel, { stats: call.stats.value }) : null,
      ]);
    };
  },
});
