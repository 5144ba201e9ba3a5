import { fileURLToPath } from 'node:url';

/** The media root the e2e app server records into (MEDIA_ROOT), inside test-results/. */
export const e2eMediaRoot = fileURLToPath(new URL('../../test-results/e2e-media', import.meta.url));

/** The repository's root folder, where `node demos/dist/server/main.js` runs. */
export const repositoryRoot = fileURLToPath(new URL('../..', import.meta.url));
