/** The inline banner for `notice/show`, with the fix-it button when the host offers one. */
import type { HostCommand, Notice } from '../../src/shared/protocol';
import { clear, codicon, h } from '../ui/dom';
import { actionIcon, button } from '../ui/kit';

const ICONS: Record<Notice['severity'], string> = { info: 'info', warning: 'warning', error: 'error' };

export function renderNotice(target: HTMLElement, notice: Notice | undefined, runCommand: (command: HostCommand) => void): void {
  clear(target);
  target.hidden = !notice;
  if (!notice) return;
  const banner = h(
    'div',
    {
      className: `notice notice-${notice.severity}`,
      attrs: { role: notice.severity === 'error' ? 'alert' : 'status' },
    },
    codicon(ICONS[notice.severity]),
    h('span', { className: 'notice-text', text: notice.message }),
  );
  const actions = h('div', { className: 'notice-actions' });
  if (notice.action) {
    const { command, label } = notice.action;
    actions.append(button({ label, onClick: () => runCommand(command) }));
  }
  actions.append(
    actionIcon({
      label: 'Dismiss',
      icon: 'close',
      onClick: () => {
        target.hidden = true;
      },
    }),
  );
  banner.append(actions);
  target.append(banner);
}
