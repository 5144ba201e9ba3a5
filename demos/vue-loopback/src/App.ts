import { defineComponent, h, onBeforeUnmount, ref } from 'vue';
import { LoopbackView } from './LoopbackView.js';
import { ViewerView } from './ViewerView.js';

type View = 'loopback' | 'viewer';

const viewOfHash = (): View => (window.location.hash === '#viewer' ? 'viewer' : 'loopback');

/** Two views, chosen by the URL's hash: the loopback call (#loopback) and a one-to-many viewer (#viewer). */
export const App = defineComponent({
  name: 'App',
  setup() {
    const view = ref<View>(viewOfHash());
    const follow = () => {
      view.value = viewOfHash();
    };
    window.addEventListener('hashchange', follow);
    onBeforeUnmount(() => window.removeEventListener('hashchange', follow));

    const tab = (target: View, label: string) =>
      h(
        'a',
        {
          href: `#${target}`,
          id: `${target}Tab`,
          'aria-current': view.value === target ? 'page' : undefined,
          style: { fontWeight: view.value === target ? 'bold' : 'normal', marginRight: '1em' },
        },
        label,
      );

    return () =>
      h('main', [
        h('header', [
          h('a', { href: '/' }, '← Medley demos'),
          h('h1', 'Vue'),
          h('p', [
            'A Vue 3 app importing ',
            h('code', '@medley/webrtc-peer'),
            ' and ',
            h('code', '@medley/signaling'),
            ' from npm, each call in a composable (useLoopbackCall, useOneToManyViewer).',
          ]),
          h('nav', [tab('loopback', 'Loopback'), tab('viewer', 'One-to-many viewer')]),
        ]),
        // Switching views unmounts the other one, and with it its call.
        view.value === 'loopback'
          ? h(LoopbackView, { key: 'loopback' })
          : h(ViewerView, { key: 'viewer' }),
      ]);
  },
});
