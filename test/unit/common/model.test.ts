import * as assert from 'node:assert/strict';
import { isStoredImage, isStoredOutput, isTerminal } from '../../../src/common/model';

describe('run statuses', () => {
  it('treats only end states as terminal', () => {
    assert.equal(isTerminal('completed'), true);
    assert.equal(isTerminal('expired'), true);
    assert.equal(isTerminal('requires_action'), false);
    assert.equal(isTerminal('cancelling'), false);
  });
});

describe('stored outputs', () => {
  const hash = 'ab'.repeat(32);

  it('names an output kept beside a thread by its content hash and a lower-case extension only', () => {
    for (const url of [`stored-output:${hash}.png`, `stored-output:${hash}.csv`, `stored-output:${hash}.tar1`]) assert.equal(isStoredOutput(url), true, url);
    for (const url of [`stored-output:${hash.slice(2)}.png`, `stored-output:../${hash}.png`, `stored-output:${hash}.PNG`, `stored-output:${hash}.png/x`, `data:image/png;base64,AAAA`, '']) assert.equal(isStoredOutput(url), false, url);
  });

  it('draws a stored output only when it holds a raster image', () => {
    for (const ext of ['png', 'jpg', 'gif', 'webp']) assert.equal(isStoredImage(`stored-output:${hash}.${ext}`), true, ext);
    for (const ext of ['svg', 'csv', 'html', 'pngx']) assert.equal(isStoredImage(`stored-output:${hash}.${ext}`), false, ext);
    assert.equal(isStoredImage(`stored-output:../${hash}.png`), false, 'not a stored output at all');
  });
});
