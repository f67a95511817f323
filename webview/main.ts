/** The chat webview's entry point: build the page, then tell the host we are ready for state. */
import { ChatApp } from './app';
import { connectToHost } from './vscodeApi';

const root = document.getElementById('app');
if (root) new ChatApp(root, connectToHost()).start();
