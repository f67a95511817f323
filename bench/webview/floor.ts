/**
 * The floor of the delta-to-paint measurement (bench/webview.ts): a page that does nothing with a
 * streamed delta but write the answer's text into one element. What it measures is the wait for
 * the next frame and the frame itself, which no renderer can avoid; a renderer's own cost is what
 * it adds to this.
 */

const app = document.getElementById('app') ?? document.body;
let answer: HTMLElement | undefined;
let text = '';

window.addEventListener('message', (event: MessageEvent<{ type: string; event?: { type: string; message?: { id: string }; text?: string } }>) => {
  const { type, event: runEvent } = event.data;
  if (type !== 'run/event' || !runEvent) return;
  if (runEvent.type === 'message.created' && runEvent.message) {
    answer = document.createElement('div');
    answer.dataset.messageId = runEvent.message.id;
    text = '';
    app.append(answer);
  } else if (runEvent.type === 'message.delta' && answer) {
    text += runEvent.text ?? '';
    answer.textContent = text;
  }
});

export {};
