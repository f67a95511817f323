import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { bundleForBrowser, launchChromium, openPage } from '../../support/browserBundle';
import { MARKERS_IN_LINKS } from './renderingFaults';
import { XSS_PAYLOADS } from './xss/payloads';

// DOMPurify needs a real browser DOM (happy-dom lets handlers through), so these run in Chromium.
describe('server text is only text (XSS corpus, Chromium)', function () {
  this.timeout(60_000);
  let browser: Browser;
  let page: Page;

  before(async () => {
    browser = await launchChromium();
    page = await openPage(browser, await bundleForBrowser(path.join(__dirname, 'xss', 'page.ts')));
  });

  after(async () => {
    await browser?.close();
  });

  it('has at least 60 payloads', () => {
    assert.ok(XSS_PAYLOADS.length >= 60, `${XSS_PAYLOADS.length} payloads`);
  });

  it('the check itself catches a handler, a javascript: URL, a style and a script', async () => {
    const found = await page.evaluate(() => [
      window.checkHtml('<p>plain <a href="https://example.com/">link</a></p>'),
      window.checkHtml('<a href=" java&#9;script:alert(1)" onclick="x" style="color:red">a</a><script></script>'),
      window.checkHtml('<a href="vscode://file/etc/passwd">a</a><a href="VSCODE-WEBVIEW://x/y">b</a><a href="file:///etc/passwd">c</a>'),
    ]);
    assert.deepEqual(found[0], []);
    assert.equal(found[1].length, 4, found[1].join(', '));
    assert.equal(found[2].length, 3, found[2].join(', '));
  });

  it('no payload runs, or leaves a handler, a dangerous URL, a style or an active element, through any path', async () => {
    const failures: string[] = [];
    for (const payload of XSS_PAYLOADS) {
      const found = await page.evaluate((p) => window.renderPaths(p), payload);
      if (found.length) failures.push(`${JSON.stringify(payload)}: ${[...new Set(found)].join(', ')}`);
    }
    assert.deepEqual(failures, []);
  });

  it('shows the payload as text rather than dropping it', async () => {
    const text = await page.evaluate(async (p) => {
      await window.renderPaths(p);
      return document.body.textContent ?? '';
    }, '<img src=x onerror=alert(1)>');
    assert.match(text, /<img src=x onerror=alert\(1\)>/);
  });

  it('an OpenAI citation marker becomes a citation when an annotation matches, and vanishes when none does', async () => {
    const text = 'Limit is 40.\uE200cite\uE202turn0file3\uE201 Done.';
    const at = text.indexOf('\uE200');
    const [matched, unmatched] = await page.evaluate(
      ([t, i]) => [
        window.renderAnswer(t, [{ type: 'file_citation', fileId: 'file-3', filename: 'inventory.ts', startIndex: i, endIndex: i }]),
        window.renderAnswer(t, []),
      ],
      [text, at] as const,
    );
    assert.match(matched.html, /Limit is 40\.<sup class="cite-ref" data-cite="1">\[1\]<\/sup> Done\./);
    assert.match(unmatched.text, /Limit is 40\. Done\./);
    assert.doesNotMatch(unmatched.text + matched.text, /cite|turn0|[\uE200-\uE2FF]/);
  });

  it('a marker inside a link leaves the link working, its citation just after it; one never closed takes no sentence', async () => {
    const inUrl = 'Read [the guide](https://example.com/a\uE200cite\uE202turn0search0\uE201/b "Guide\uE200cite\uE202turn0search1\uE201") and <https://example.com/c\uE200cite\uE202turn0search2\uE201> first.';
    const unclosed = 'Claim one.\uE200cite\uE202turn0file3 The next sentence stays.\uE200cite\uE202tur';
    const [link, cut] = await page.evaluate(
      ([a, b]) => [
        window.renderAnswer(a, [
          { type: 'url_citation', url: 'https://example.com/one', title: 'One', startIndex: a.indexOf('\uE200'), endIndex: a.indexOf('\uE200') },
          { type: 'file_citation', fileId: 'f2', filename: 'c.md', startIndex: a.lastIndexOf('\uE200'), endIndex: a.lastIndexOf('\uE200') },
        ]),
        window.renderAnswer(b, []),
      ],
      [inUrl, unclosed] as const,
    );
    assert.match(link.html, /<a href="https:\/\/example\.com\/a\/b"[^>]*>the guide<\/a><sup class="cite-ref" data-cite="1">\[1\]<\/sup>/);
    assert.match(link.html, /<a href="https:\/\/example\.com\/c"[^>]*>https:\/\/example\.com\/c<\/a><sup class="cite-ref" data-cite="2">/);
    assert.doesNotMatch(link.text, /\]\(|turn0|[\uE200-\uE2FF]/);
    assert.match(cut.text, /^Claim one\. The next sentence stays\.\s*$/);
  });

  it('a marker in a shortcut reference or in a definition written in a quote, a list or over lines leaves the link working', async () => {
    const texts = MARKERS_IN_LINKS.filter(([text]) => text.includes('[the docs')).map(([text]) => text);
    const drawn = await page.evaluate(
      (all) => all.map((t) => window.renderAnswer(t, [{ type: 'url_citation', url: 'https://example.com/src', title: 'Source', startIndex: t.indexOf('\uE200'), endIndex: t.indexOf('\uE201') + 1 }])),
      texts,
    );
    drawn.forEach((d, i) => {
      assert.match(d.html, /<a href="https:\/\/example\.com\/d"[^>]*>the docs<\/a>/, texts[i]);
      assert.doesNotMatch(d.text, /\[the docs|\]:|turn0|[\uE200-\uE2FF]/, texts[i]);
    });
    // Where the marker sat in the link's label, its number follows the link.
    assert.match(drawn[0].html, /the docs<\/a><sup class="cite-ref" data-cite="1">\[1\]<\/sup> now/);
  });

  it('a citation after a closing fence, a heading underline or a rule leaves the block whole and the text after it outside', async () => {
    const m = '\uE200cite\uE202turn0search0\uE201';
    const texts = ['```js\nconst a = 1;\n```' + m + '\n\nMore text after.', 'Title\n=====' + m + '\n\nMore text after.', 'Above\n\n---' + m + '\n\nMore text after.'];
    const drawn = await page.evaluate(
      (all) => all.map((t) => window.renderAnswer(t, [{ type: 'url_citation', url: 'https://example.com/src', title: 'Source', startIndex: t.indexOf('\uE200'), endIndex: t.indexOf('\uE201') + 1 }]).html),
      texts,
    );
    assert.match(drawn[0], /<code class="language-js"[^>]*>.*const.*a = .*1.*;\n<\/code><\/pre><\/div>\n?<p dir="auto">More text after\.<\/p>/s);
    assert.match(drawn[1], /<h1 dir="auto">Title<\/h1>/);
    assert.match(drawn[2], /<hr>/);
    for (const html of drawn) assert.match(html, /<p dir="auto">More text after\.<\/p>/);
    // A citation of words that end with a line break stays with them: the list after them stays a list.
    const list = 'A sentence.\n- item one\n- item two';
    const listed = await page.evaluate((t) => window.renderAnswer(t, [{ type: 'url_citation', url: 'https://example.com/src', title: 'Source', startIndex: 0, endIndex: 12 }]).html, list);
    assert.match(listed, /A sentence\.<sup class="cite-ref" data-cite="1">\[1\]<\/sup><\/p>\n?<ul[^>]*>\n?<li[^>]*>item one<\/li>/);
  });

  it('a citation in code or a formula leaves the code and the TeX as written: after a code span or formula, dropped in a block', async () => {
    const m = '\uE200cite\uE202turn0search0\uE201';
    const texts = [`Run \`npm install${m}\` first.`, `\`\`\`js\nconst a = 1;${m}\n\`\`\``, `Area $\\pi r^2${m}$ here.`, `$$\nE = mc^2${m}\n$$`];
    const drawn = await page.evaluate(
      (all) => all.map((t) => {
        const d = window.renderAnswer(t, [{ type: 'url_citation', url: 'https://example.com/src', title: 'Source', startIndex: t.indexOf('\uE200'), endIndex: t.indexOf('\uE201') + 1 }]);
        const root = document.createElement('div');
        root.innerHTML = d.html;
        return { ...d, code: root.querySelector('code')?.textContent ?? '', tex: root.querySelector('annotation')?.textContent ?? '', after: root.querySelector('code + sup, .math-tex + sup')?.textContent ?? '', sups: root.querySelectorAll('sup').length };
      }),
      texts,
    );
    assert.equal(drawn[0].code, 'npm install');
    assert.equal(drawn[0].after, '[1]');
    assert.equal(drawn[1].code, 'const a = 1;\n', 'Copy and Insert take the code as written');
    assert.equal(drawn[1].sups, 0);
    assert.equal(drawn[2].tex, '\\pi r^2');
    assert.equal(drawn[2].after, '[1]');
    assert.equal(drawn[3].tex, 'E = mc^2\n');
    for (const d of drawn) assert.match(d.text, /Source/, 'the source stays listed');
  });

  it('never puts a citation inside an attribute, even when the annotation points into a link', async () => {
    const text = 'See [the docs](https://example.com/guide "Guide") and https://example.com/raw today.';
    const inUrl = text.indexOf('guide') + 2;
    const inTitle = text.indexOf('Guide') + 1;
    const inAutolink = text.indexOf('raw') + 1;
    const result = await page.evaluate(
      ([t, a, b, c]) =>
        window.renderAnswer(t, [
          { type: 'file_citation', fileId: 'f1', filename: 'a.md', startIndex: a, endIndex: a },
          { type: 'file_citation', fileId: 'f2', filename: 'b.md', startIndex: b, endIndex: b },
          { type: 'file_citation', fileId: 'f3', filename: 'c.md', startIndex: c, endIndex: c },
        ]),
      [text, inUrl, inTitle, inAutolink] as const,
    );
    // eslint-disable-next-line no-control-regex -- a mark is a control character
    for (const value of result.attributes) assert.doesNotMatch(value, /<|\[\d\]|[\u0000-\u001F]/, `attribute ${JSON.stringify(value)}`);
    assert.match(result.html, /<sup class="cite-ref" data-cite="3">\[3\]<\/sup>/, 'the autolink ends before the mark, which shows as a citation');
  });
});
