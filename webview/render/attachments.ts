/**
 * The files attached to the next message, as chips above the composer: name, the tool the file
 * goes to (click to switch between file search and the code interpreter), a remove button, and for
 * a file that could not go, the reason. The host sends the whole list each time it changes.
 */
import type { AttachmentTool } from '../../src/common/model';
import type { AttachmentView } from '../../src/common/protocol';
import { codicon, h } from '../ui/dom';
import { actionIcon } from '../ui/kit';

export interface AttachmentEvents {
  remove(id: string): void;
  setTool(id: string, tool: AttachmentTool): void;
}

const TOOL_LABEL: Record<AttachmentTool, string> = { file_search: 'File search', code_interpreter: 'Code interpreter' };
const OTHER: Record<AttachmentTool, AttachmentTool> = { file_search: 'code_interpreter', code_interpreter: 'file_search' };

export class AttachmentChips {
  readonly element = h('div', { className: 'attachments', attrs: { 'aria-label': 'Attached files' } });

  constructor(private readonly events: AttachmentEvents) {
    this.element.hidden = true;
  }

  show(attachments: readonly AttachmentView[]): void {
    this.element.replaceChildren(...attachments.map((attachment) => this.chip(attachment)));
    this.element.hidden = attachments.length === 0;
  }

  private chip(attachment: AttachmentView): HTMLElement {
    const icon = attachment.status === 'uploading' ? codicon('loading', { spin: true, label: 'Uploading' }) : attachment.status === 'failed' ? codicon('error', { label: 'Not attached' }) : codicon('file');
    const tool = h('button', {
      className: 'attachment-tool',
      text: TOOL_LABEL[attachment.tool],
      attrs: { type: 'button', title: `Goes to ${TOOL_LABEL[attachment.tool].toLowerCase()}; click for ${TOOL_LABEL[OTHER[attachment.tool]].toLowerCase()}` },
    });
    tool.addEventListener('click', () => this.events.setTool(attachment.id, OTHER[attachment.tool]));
    return h(
      'div',
      { className: `attachment attachment-${attachment.status}`, attrs: { 'data-attachment-id': attachment.id, title: attachment.error ? `${attachment.display}: ${attachment.error}` : attachment.display } },
      icon,
      h('span', { className: 'attachment-name', text: attachment.name }),
      tool,
      attachment.error ? h('span', { className: 'attachment-error', text: attachment.error }) : null,
      actionIcon({ icon: 'close', label: `Remove ${attachment.name}`, onClick: () => this.events.remove(attachment.id) }),
    );
  }
}
