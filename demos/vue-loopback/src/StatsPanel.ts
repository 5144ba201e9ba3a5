import type { PeerStats } from '@medley/webrtc-peer';
import { defineComponent, h, type PropType } from 'vue';

const kbps = (bitsPerSecond: number | undefined) =>
  bitsPerSecond === undefined ? '–' : `${Math.round(bitsPerSecond / 1000)} kbps`;
const milliseconds = (seconds: number | undefined) =>
  seconds === undefined ? '–' : `${Math.round(seconds * 1000)} ms`;

export const StatsPanel = defineComponent({
  name: 'StatsPanel',
  props: { stats: { type: Object as PropType<PeerStats>, required: true } },
  setup(props) {
    return () => {
      const { stats } = props;
      const video = stats.inbound.video;
      const rows: Array<[string, string]> = [
        ['Bitrate in', kbps(video?.bitrate)],
        ['Bitrate out', kbps(stats.outbound.video?.bitrate)],
        ['Frames per second', video?.framesPerSecond?.toFixed(0) ?? '–'],
        ['Resolution', video?.frameWidth ? `${video.frameWidth}×${video.frameHeight}` : '–'],
        ['Round-trip time', milliseconds(stats.roundTripTime)],
        ['Packets lost', String(video?.packetsLost ?? '–')],
        ['Frames decoded', String(video?.framesDecoded ?? '–')],
      ];
      return h(
        'div',
        { class: 'stats', id: 'stats' },
        rows.map(([label, value]) => h('div', { key: label }, [h('span', label), value])),
      );
    };
  },
});
