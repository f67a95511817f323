import * as assert from 'node:assert/strict';
import { imageFromDataUrl, sniffImage } from '../../../../src/core/threads/images';
import { MAX_IMAGE_BYTES, RecentCache, imageDataUrl, suggestedFileName } from '../../../../src/host/platform/fileBytes';
import { pngChart } from '../../../fakes/png';

const bytes = (...values: (number | string)[]): Uint8Array =>
  new Uint8Array(values.flatMap((v) => (typeof v === 'string' ? Array.from(v, (c) => c.charCodeAt(0)) : [v])));

describe('file bytes for the chat', () => {
  it('knows PNG, JPEG, GIF and WebP by their magic bytes, and nothing else', () => {
    assert.equal(sniffImage(pngChart()), 'image/png');
    assert.equal(sniffImage(bytes(0xff, 0xd8, 0xff, 0xe0, 0, 0x10)), 'image/jpeg');
    assert.equal(sniffImage(bytes('GIF89a', 1, 0)), 'image/gif');
    assert.equal(sniffImage(bytes('GIF87a')), 'image/gif');
    assert.equal(sniffImage(bytes('RIFF', 0x24, 0, 0, 0, 'WEBPVP8 ')), 'image/webp');
    assert.equal(sniffImage(bytes('RIFF', 0x24, 0, 0, 0, 'WAVEfmt ')), undefined, 'a RIFF that is not WebP');
    assert.equal(sniffImage(bytes('<svg xmlns="http://www.w3.org/2000/svg"/>')), undefined, 'SVG could carry script');
    assert.equal(sniffImage(bytes('a,b\n1,2\n')), undefined);
    assert.equal(sniffImage(new Uint8Array()), undefined);
    assert.equal(sniffImage(bytes(0x89, 0x50, 0x4e)), undefined, 'a truncated PNG signature');
  });

  it('turns an image into a data URL that decodes back to the same bytes', () => {
    const png = new Uint8Array(pngChart());
    const result = imageDataUrl(png);
    assert.ok('dataUrl' in result);
    assert.equal(result.mime, 'image/png');
    assert.match(result.dataUrl, /^data:image\/png;base64,[A-Za-z0-9+/]+=*$/);
    assert.deepEqual(imageFromDataUrl(result.dataUrl), png);
  });

  it('uses only the view of a buffer it is given', () => {
    const padded = new Uint8Array(pngChart().length + 10);
    padded.set(pngChart(), 5);
    const result = imageDataUrl(padded.subarray(5, 5 + pngChart().length));
    assert.ok('dataUrl' in result);
    assert.deepEqual(imageFromDataUrl(result.dataUrl), new Uint8Array(pngChart()));
  });

  it('refuses what is not an image, and images over 8 MB, with a sentence', () => {
    const text = imageDataUrl(bytes('hello'));
    assert.ok('error' in text);
    assert.match(text.error, /not an image/);
    const big = new Uint8Array(MAX_IMAGE_BYTES + 1);
    big.set(pngChart());
    const tooBig = imageDataUrl(big);
    assert.ok('error' in tooBig);
    assert.match(tooBig.error, /too large.*8 MB/);
    const atLimit = new Uint8Array(MAX_IMAGE_BYTES);
    atLimit.set(pngChart());
    assert.ok('dataUrl' in imageDataUrl(atLimit), 'exactly 8 MB is allowed');
  });

  it('decodes only base64 image data URLs whose bytes are an image', () => {
    const png64 = pngChart().toString('base64');
    assert.ok(imageFromDataUrl(`data:image/png;base64,${png64}`));
    assert.equal(imageFromDataUrl(`data:text/html;base64,${png64}`), undefined);
    assert.equal(imageFromDataUrl(`data:image/png;base64,${Buffer.from('not a png').toString('base64')}`), undefined);
    assert.equal(imageFromDataUrl('https://example.com/chart.png'), undefined);
  });

  it('suggests the file name without its directory, else the id with the extension its bytes show', () => {
    const png = new Uint8Array(pngChart());
    assert.equal(suggestedFileName('cfile_1', png, '/mnt/data/chart.png'), 'chart.png');
    assert.equal(suggestedFileName('cfile_1', png, 'C:\\out\\report.csv'), 'report.csv');
    assert.equal(suggestedFileName('file-abc', png), 'file-abc.png');
    assert.equal(suggestedFileName('file-abc', bytes(0xff, 0xd8, 0xff)), 'file-abc.jpg');
    assert.equal(suggestedFileName('file-abc', bytes('a,b')), 'file-abc.bin');
    assert.equal(suggestedFileName('../evil', png, '..'), '.._evil.png', 'never a path out of the folder');
    assert.equal(suggestedFileName('cfile_1', png, 'report\u202Efdp.exe'), 'reportfdp.exe', 'a name shown reversed is shown as it is');
    assert.equal(suggestedFileName('cfile_1', png, '/mnt/data/aux.csv'), '_aux.csv', 'a Windows device name is no file');
    assert.equal(suggestedFileName('cfile_1', png, 'a\r\nb:c.csv'), 'ab_c.csv');
    assert.ok(Buffer.byteLength(suggestedFileName('cfile_1', png, `${'\u56fe'.repeat(300)}.png`)) <= 200, 'a long name fits a file system');
    // A figure kept beside the thread that nobody named: not the storage's own URL, nor its extension twice.
    assert.equal(suggestedFileName(`stored-output:${'ab12cd34'.repeat(8)}.png`, png), 'image-ab12cd34.png');
    assert.equal(suggestedFileName(`stored-output:${'0f'.repeat(32)}.csv`, bytes('a,b')), 'file-0f0f0f0f.csv');
  });

  it('keeps the most recently used entries up to its capacity', () => {
    const cache = new RecentCache<string>(2);
    cache.set('a', '1');
    cache.set('b', '2');
    assert.equal(cache.get('a'), '1');
    cache.set('c', '3');
    assert.equal(cache.get('b'), undefined, 'the least recently used went');
    assert.equal(cache.get('a'), '1');
    assert.equal(cache.get('c'), '3');
    assert.equal(cache.size, 2);
  });
});
