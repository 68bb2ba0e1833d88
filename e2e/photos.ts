import { makeJpeg, makePng } from "../lib/testing/fixtures";
import type { UploadFile } from "./pages/gallery-page";

const palettes = [
  ["#0c4a6e", "#0ea5e9", "#f59e0b"],
  ["#14532d", "#22c55e", "#fde047"],
  ["#7c2d12", "#f97316", "#fed7aa"],
  ["#312e81", "#818cf8", "#f472b6"],
  ["#134e4a", "#2dd4bf", "#f0fdfa"],
  ["#3f3f46", "#a1a1aa", "#fafafa"],
];

/** EXIF "YYYY:MM:DD HH:MM:SS" */
const exifDate = (iso: string) => iso.replace(/-/g, ":").replace("T", " ");

/** Photos with dates taken across months and varied shapes, a panorama among them. */
export async function samplePhotos(): Promise<UploadFile[]> {
  const spec: { name: string; w: number; h: number; taken?: string }[] = [
    { name: "harbour at dusk.jpg", w: 1600, h: 1000, taken: "2025-08-14T19:02:11" },
    { name: "lighthouse.jpg", w: 800, h: 1200, taken: "2025-08-14T18:40:00" },
    { name: "market.jpg", w: 1200, h: 900, taken: "2025-08-02T11:15:00" },
    { name: "panorama.jpg", w: 3000, h: 600, taken: "2024-12-24T16:00:00" },
    { name: "snow.jpg", w: 1000, h: 1000, taken: "2024-12-20T09:30:00" },
    { name: "first day.jpg", w: 1200, h: 800, taken: "2019-07-04T10:00:00" },
  ];
  const files = await Promise.all(
    spec.map(async (s, i) => ({
      name: s.name,
      mimeType: "image/jpeg",
      buffer: await makeJpeg({
        width: s.w,
        height: s.h,
        colors: palettes[i % palettes.length],
        exif: s.taken ? { Make: "Fujifilm", Model: "X-T5", DateTimeOriginal: exifDate(s.taken) } : undefined,
      }),
    })),
  );
  files.push({ name: "screenshot.png", mimeType: "image/png", buffer: await makePng({ width: 900, height: 600, colors: palettes[5] }) });
  return files;
}
