/** The inline banner for `notice/show`, with the fix-it button when the host offers one. */
import type { HostCommand, Notice } from '../../src/common/protocol';
import { clear, codicon, h } from '../ui/dom';
import { actionIcon, button } from '../ui/kit';
import { withoutCommandHint } from '../status';

const ICONS: Record<Notice['severity'], string> = { info: 'info', warning: 'warning', error: 'error' };

export interface NoticeActions {
  runCommand(command: HostCommand): void;
  /** The user closed the banner: the host must forget the notice, or the next full state brings it back. */
  dismiss(): void;
}

export function renderNotice(target: HTMLElement, notice: Notice | undefined, actions: NoticeActions): void {
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
    // The button runs the command: a sentence that also says to run it repeats it.
    h('span', { className: 'notice-text', text: notice.action ? withoutCommandHint(notice.message, notice.action.label) : notice.message }),
  );
  const buttons = h('div', { className: 'notice-actions' });
  if (notice.action) {
    const { command, label } = notice.action;
    buttons.append(button({ label, onClick: () => actions.runCommand(command) }));
  }
  buttons.append(
    actionIcon({
      label: 'Dismiss',
      icon: 'close',
      onClick: () => {
        target.hidden = true;
        actions.dismiss();
      },
    }),
  );
  banner.append(buttons);
  target.append(banner);
}
