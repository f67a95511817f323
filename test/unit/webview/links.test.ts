import * as assert from 'node:assert/strict';
import { MARKDOWN_LINK_PATTERN, safeHref } from '../../../webview/links';

describe('webview links', () => {
  it('keeps web links', () => {
    assert.equal(safeHref('https://example.com/a?b=1#c'), 'https://example.com/a?b=1#c');
    assert.equal(safeHref('http://example.com'), 'http://example.com/');
    assert.equal(safeHref('HTTPS://Example.com/x'), 'https://example.com/x', 'the scheme is matched without case');
  });

  it('refuses every other scheme, however it is dressed', () => {
    for (const url of [
      'javascript:alert(1)',
      'JavaScript:alert(1)',
      ' javascript:alert(1)',
      'java\tscript:alert(1)',
      'java\nscript:alert(1)',
      'data:text/html,<script>alert(1)</script>',
      'vbscript:msgbox(1)',
      'command:workbench.action.terminal.new',
      'vscode://file/etc/passwd',
      'file:///etc/passwd',
      'mailto:someone@example.com',
      'blob:https://example.com/1',
    ]) {
      assert.equal(safeHref(url), undefined, url);
    }
  });

  it('refuses what is not a URL at all', () => {
    for (const url of ['', 'example.com', '/relative/path', '#anchor', 'https://exa mple.com']) {
      assert.equal(safeHref(url), undefined, url);
    }
  });

  it('lets Markdown link to the web, mail and anchors only', () => {
    for (const ok of ['https://a.b', 'http://a.b', 'mailto:x@a.b', '#section']) assert.ok(MARKDOWN_LINK_PATTERN.test(ok), ok);
    for (const bad of ['javascript:x', 'data:text/html,x', 'command:x', 'file:///x', 'relative']) assert.ok(!MARKDOWN_LINK_PATTERN.test(bad), bad);
  });
});
