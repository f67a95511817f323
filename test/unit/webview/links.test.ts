import * as assert from 'node:assert/strict';
import { isStoredOutput } from '../../../src/common/model';
import { MARKDOWN_LINK_PATTERN, isStoredOutputUrl, safeHref } from '../../../webview/links';

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

  it('knows a stored image exactly as the host names a stored output, with an image\'s extension', () => {
    const hash = 'ab'.repeat(32);
    const samples = [`stored-output:${hash}.png`, `stored-output:${hash}.jpg`, `stored-output:${hash}.svg`, `stored-output:${hash}.csv`, `stored-output:${hash.slice(2)}.png`, `stored-output:../${hash}.png`, `data:image/png;base64,AAAA`, ''];
    for (const url of samples) assert.equal(isStoredOutputUrl(url), isStoredOutput(url) && /\.(png|jpg|gif|webp)$/.test(url), url);
    assert.equal(isStoredOutputUrl(samples[0]), true);
    assert.equal(isStoredOutput(samples[3]), true, 'a kept CSV is a stored output, though not an image');
  });
});
