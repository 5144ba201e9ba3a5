import { createApp } from 'vue';
import '../../public/style.css';
// The plain pages' shared helpers (words for states and failures, stats rows): the global demoPage.
import '../../public/demo-page.js';
import { App } from './App.js';

createApp(App).mount('#app');
