import { defineConfig } from 'vite';

// Served by the demo app server under /vue/. The components are TypeScript render functions
// (h()), so Vue's runtime build is enough: no template compiler, no framework plugin.
export default defineConfig({
  base: '/vue/',
  define: {
    __VUE_OPTIONS_API__: 'false',
    __VUE_PROD_DEVTOOLS__: 'false',
    __VUE_PROD_HYDRATION_MISMATCH_DETAILS__: 'false',
  },
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true },
});
