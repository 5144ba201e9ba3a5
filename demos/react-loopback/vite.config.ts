import { defineConfig } from 'vite';

// Served by the demo app server under /react/. Vite compiles the JSX itself (automatic runtime),
// so no framework plugin is needed for a production build.
export default defineConfig({
  base: '/react/',
  oxc: { jsx: { runtime: 'automatic' } },
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true },
});
