import { createApp } from 'vue';
import '../../public/style.css';
import { App } from './App.js';

createApp(App).mount('#app');
