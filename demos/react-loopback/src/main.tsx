import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import '../../public/style.css';
// The plain pages' shared helpers (words for states and failures, stats rows): the global demoPage.
import '../../public/demo-page.js';
import { App } from './App.js';

const root = document.getElementById('root');
if (!root) throw new Error('index.html lacks the #root element');
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
