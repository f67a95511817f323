import * as zlib from 'node:zlib';

const WIDTH = 96;
const HEIGHT = 64;
const BARS: { height: number; rgb: [number, number, number] }[] = [
  { height: 30, rgb: [0x1f, 0x77, 0xb4] },
  { height: 50, rgb: [0xff, 0x7f, 0x0e] },
  { height: 20, rgb: [0x2c, 0xa0, 0x2c] },
  { height: 60, rgb: [0xd6, 0x27, 0x28] },
];

let cached: Buffer | undefined;

/** A small valid PNG bar chart (RGB, 8 bit), the "figure" a code-interpreter run produces. */
export function pngChart(): Buffer {
  cached ??= encode();
  return cached;
}

function encode(): Buffer {
  const barWidth = Math.floor(WIDTH / BARS.length);
  const rows: Buffer[] = [];
  for (let y = 0; y < HEIGHT; y++) {
    const row = Buffer.alloc(1 + WIDTH * 3, 0xff); // filter byte 0 then white pixels
    row[0] = 0;
    for (let x = 0; x < WIDTH; x++) {
      const bar = BARS[Math.min(BARS.length - 1, Math.floor(x / barWidth))];
      const inBar = x % barWidth > 2 && HEIGHT - y <= bar.height;
      if (inBar) row.set(bar.rgb, 1 + x * 3);
    }
    rows.push(row);
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(WIDTH, 0);
  header.writeUInt32BE(HEIGHT, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // colour type: RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', zlib.deflateSync(Buffer.concat(rows))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(data: Buffer): number {
  let c = 0xffffffff;
  for (const byte of data) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
