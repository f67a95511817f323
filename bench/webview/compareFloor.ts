/**
 * The floor of the four-column measurement (bench/compare-streaming.ts): a page that does nothing
 * with the Compare panel's messages but write each column's streamed text into an element of its
 * own. What it measures is the wait for the next frame and the frame itself, which no renderer can
 * avoid; the panel's own cost is what it adds to this.
 */

const app = document.getElementById('app') ?? document.body;
const answers = new Map<number, HTMLElement>();

window.addEventListener('message', (event: MessageEvent<{ type: string; column?: number; message?: { type: string; event?: { type: string; text?: string } } }>) => {
  const { type, column, message } = event.data;
  if (type !== 'compare/chat' || column === undefined || message?.event?.type !== 'message.delta') return;
  let answer = answers.get(column);
  if (!answer) {
    answer = document.createElement('div');
    answer.className = 'floor-answer';
    answer.dataset.column = String(column);
    answers.set(column, answer);
    app.append(answer);
  }
  answer.textContent += message.event.text ?? '';
});

export {};
