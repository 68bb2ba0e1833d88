// Renders the app's icons from one SVG with sharp: PNGs in every size the
// manifest, browsers and phones ask for (maskable ones with the artwork inside
// the safe zone), and public/favicon.ico (16, 32 and 48 px PNGs in an ICO).
// The PNGs are committed; run `node scripts/make-icons.mjs` after changing the art.
import fs from "node:fs";
import path from "node:path";

import sharp from "sharp";

const out = path.join(import.meta.dirname, "..", "public");
const iconsDir = path.join(out, "icons");
fs.mkdirSync(iconsDir, { recursive: true });

/** The artwork on a 512 grid: a photo (sun and hills) with a lock, on sky blue. `scale` shrinks it for maskable icons. */
function svg({ maskable = false } = {}) {
  const scale = maskable ? 0.72 : 1;
  const offset = (512 - 512 * scale) / 2;
  const background = maskable
    ? `<rect width="512" height="512" fill="#0369a1"/>`
    : `<rect x="0" y="0" width="512" height="512" rx="112" fill="#0369a1"/>`;
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 512 512">
  ${background}
  <g transform="translate(${offset} ${offset}) scale(${scale})">
    <rect x="80" y="112" width="352" height="288" rx="40" fill="#ffffff"/>
    <circle cx="330" cy="190" r="34" fill="#f59e0b"/>
    <path d="M112 368 L206 254 Q218 240 230 254 L290 326 L322 290 Q334 277 346 290 L400 352 L400 368 Z" fill="#0ea5e9"/>
    <path d="M346 322 v-30 a38 38 0 0 1 76 0 v30" fill="none" stroke="#ffffff" stroke-width="34"/>
    <path d="M346 322 v-30 a38 38 0 0 1 76 0 v30" fill="none" stroke="#0c4a6e" stroke-width="16"/>
    <rect x="318" y="318" width="132" height="112" rx="22" fill="#0c4a6e" stroke="#ffffff" stroke-width="14"/>
    <circle cx="384" cy="372" r="14" fill="#ffffff"/>
  </g>
</svg>`;
}

const plain = Buffer.from(svg());
const maskable = Buffer.from(svg({ maskable: true }));
const render = (source, size) => sharp(source, { density: Math.max(72, (72 * size) / 512) * 4 }).resize(size, size).png({ compressionLevel: 9 }).toBuffer();

const sizes = [16, 32, 48, 64, 72, 96, 128, 144, 152, 167, 180, 192, 256, 384, 512];
for (const size of sizes) fs.writeFileSync(path.join(iconsDir, `icon-${size}.png`), await render(plain, size));
for (const size of [192, 512]) fs.writeFileSync(path.join(iconsDir, `maskable-${size}.png`), await render(maskable, size));
fs.writeFileSync(path.join(out, "apple-touch-icon.png"), await render(plain, 180));

// favicon.ico: an ICONDIR header, one ICONDIRENTRY per image, then the PNGs (PNG-in-ICO, read by every current browser).
const icoSizes = [16, 32, 48];
const images = await Promise.all(icoSizes.map((size) => render(plain, size)));
const header = Buffer.alloc(6 + 16 * images.length);
header.writeUInt16LE(0, 0);
header.writeUInt16LE(1, 2);
header.writeUInt16LE(images.length, 4);
let offset = header.length;
images.forEach((png, i) => {
  const at = 6 + 16 * i;
  header.writeUInt8(icoSizes[i] % 256, at);
  header.writeUInt8(icoSizes[i] % 256, at + 1);
  header.writeUInt8(0, at + 2);
  header.writeUInt8(0, at + 3);
  header.writeUInt16LE(1, at + 4);
  header.writeUInt16LE(32, at + 6);
  header.writeUInt32LE(png.length, at + 8);
  header.writeUInt32LE(offset, at + 12);
  offset += png.length;
});
fs.writeFileSync(path.join(out, "favicon.ico"), Buffer.concat([header, ...images]));
console.log(`wrote ${sizes.length + 3} PNGs and favicon.ico into public/`);
