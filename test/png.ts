// A PNG reader for the render tests: 8-bit RGB or RGBA, not interlaced
// (what rsvg-convert writes), decoded with node:zlib.
import { inflateSync } from "node:zlib";

/** A decoded picture: `pixel(x, y)` is [r, g, b, a]. */
export interface Png {
  width: number;
  height: number;
  pixel(x: number, y: number): [number, number, number, number];
}

/** Decodes a PNG file's bytes; throws on anything it does not support. */
export function decodePng(buf: Buffer): Png {
  const signature = "89504e470d0a1a0a";
  if (buf.subarray(0, 8).toString("hex") !== signature)
    throw new Error("not a PNG file");
  let at = 8;
  let width = 0;
  let height = 0;
  let channels = 0;
  const data: Buffer[] = [];
  while (at < buf.length) {
    const length = buf.readUInt32BE(at);
    const type = buf.toString("latin1", at + 4, at + 8);
    const body = buf.subarray(at + 8, at + 8 + length);
    if (type === "IHDR") {
      width = body.readUInt32BE(0);
      height = body.readUInt32BE(4);
      const [depth, colour, , , interlace] = body.subarray(8, 13);
      channels = colour === 6 ? 4 : colour === 2 ? 3 : 0;
      if (depth !== 8 || channels === 0 || interlace !== 0)
        throw new Error(
          `unsupported PNG: depth ${depth}, colour type ${colour}, interlace ${interlace}`,
        );
    } else if (type === "IDAT") data.push(body);
    else if (type === "IEND") break;
    at += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(data));
  const stride = width * channels;
  const out = Buffer.alloc(height * stride);
  // Undo each row's filter (PNG spec, section 9).
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const src = y * (stride + 1) + 1;
    const row = y * stride;
    for (let x = 0; x < stride; x++) {
      const a = x >= channels ? out[row + x - channels]! : 0;
      const b = y > 0 ? out[row - stride + x]! : 0;
      const c = x >= channels && y > 0 ? out[row - stride + x - channels]! : 0;
      let predictor = 0;
      if (filter === 1) predictor = a;
      else if (filter === 2) predictor = b;
      else if (filter === 3) predictor = (a + b) >> 1;
      else if (filter === 4) {
        const p = a + b - c;
        const [pa, pb, pc] = [
          Math.abs(p - a),
          Math.abs(p - b),
          Math.abs(p - c),
        ];
        predictor = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      } else if (filter !== 0) throw new Error(`bad PNG filter ${filter}`);
      out[row + x] = (raw[src + x]! + predictor) & 0xff;
    }
  }
  return {
    width,
    height,
    pixel(x, y) {
      const i = Math.round(y) * stride + Math.round(x) * channels;
      return [
        out[i]!,
        out[i + 1]!,
        out[i + 2]!,
        channels === 4 ? out[i + 3]! : 255,
      ];
    },
  };
}

/** Whether a pixel is within `tolerance` of the colour `#rrggbb` on each channel. */
export function near(
  pixel: [number, number, number, number],
  hex: string,
  tolerance = 24,
): boolean {
  const want = [1, 3, 5].map((k) => parseInt(hex.slice(k, k + 2), 16));
  return want.every((v, k) => Math.abs(v - pixel[k]!) <= tolerance);
}
