import { describe, expect, it } from "vitest";

import {
  fitInside,
  formatBytes,
  formatDate,
  formatDimensions,
  formatExposure,
  formatExposureTime,
  formatTakenAt,
  plural,
} from "@/components/format";

describe("formatBytes", () => {
  it("shows bytes without decimals", () => {
    expect(formatBytes(0)).toBe("0 B");
    expect(formatBytes(1)).toBe("1 B");
    expect(formatBytes(1023)).toBe("1023 B");
  });

  it("uses binary steps with one decimal below ten", () => {
    expect(formatBytes(1024)).toBe("1 KB");
    expect(formatBytes(1536)).toBe("1.5 KB");
    expect(formatBytes(10 * 1024)).toBe("10 KB");
    expect(formatBytes(123.4 * 1024)).toBe("123 KB");
    expect(formatBytes(5.25 * 1024 * 1024)).toBe("5.3 MB");
    expect(formatBytes(3 * 1024 ** 3)).toBe("3 GB");
    expect(formatBytes(2 * 1024 ** 4)).toBe("2 TB");
  });

  it("keeps one decimal below 100 (the upload panel and the viewer agree)", () => {
    expect(formatBytes(12.4 * 1024 * 1024)).toBe("12.4 MB");
    expect(formatBytes(40.1 * 1024 * 1024)).toBe("40.1 MB");
    expect(formatBytes(120 * 1024 * 1024)).toBe("120 MB");
  });

  it("rolls over to the next unit instead of showing 1024", () => {
    expect(formatBytes(1024 * 1024 - 1)).toBe("1 MB");
    expect(formatBytes(1023.6 * 1024)).toBe("1 MB");
  });

  it("groups thousands in the largest unit", () => {
    expect(formatBytes(2048 * 1024 ** 4)).toBe("2,048 TB");
  });

  it("returns a dash for nonsense", () => {
    expect(formatBytes(-1)).toBe("—");
    expect(formatBytes(Number.NaN)).toBe("—");
    expect(formatBytes(Number.POSITIVE_INFINITY)).toBe("—");
  });
});

describe("plural", () => {
  it("says one or many", () => {
    expect(plural(1, "image")).toBe("1 image");
    expect(plural(0, "image")).toBe("0 images");
    expect(plural(12_000, "day")).toBe("12,000 days");
    expect(plural(2, "child", "children")).toBe("2 children");
  });
});

describe("formatDate", () => {
  it("formats an ISO instant in the given zone and locale", () => {
    expect(formatDate("2024-03-05T12:00:00.000Z", { locale: "en-US", timeZone: "UTC" })).toBe("Mar 5, 2024");
    // Late on the 5th in UTC is already the 6th in Tokyo.
    expect(formatDate("2024-03-05T23:30:00.000Z", { locale: "en-US", timeZone: "Asia/Tokyo" })).toBe("Mar 6, 2024");
  });

  it("adds the time on request", () => {
    const text = formatDate("2024-03-05T15:04:00.000Z", { locale: "en-US", timeZone: "UTC", withTime: true });
    expect(text).toMatch(/^Mar 5, 2024.*3:04\sPM$/);
  });

  it("accepts Date objects and epoch milliseconds", () => {
    const ms = Date.UTC(2020, 0, 31, 8);
    expect(formatDate(new Date(ms), { locale: "en-US", timeZone: "UTC" })).toBe("Jan 31, 2020");
    expect(formatDate(ms, { locale: "en-US", timeZone: "UTC" })).toBe("Jan 31, 2020");
  });

  it("returns a dash for missing or invalid input", () => {
    expect(formatDate(null)).toBe("—");
    expect(formatDate(undefined)).toBe("—");
    expect(formatDate("")).toBe("—");
    expect(formatDate("not a date")).toBe("—");
  });
});

describe("formatTakenAt", () => {
  it("shows the camera's wall clock without converting it", () => {
    expect(formatTakenAt("2024-05-01T10:20:30", "en-US")).toMatch(/^May 1, 2024.*10:20\sAM$/);
  });

  it("appends the recorded offset", () => {
    const text = formatTakenAt("2024-05-01T23:45:00+02:00", "en-US");
    expect(text).toMatch(/^May 1, 2024.*11:45\sPM \(UTC\+02:00\)$/);
  });

  it("handles missing values", () => {
    expect(formatTakenAt(null)).toBe("—");
    expect(formatTakenAt("")).toBe("—");
    expect(formatTakenAt("garbage")).toBe("—");
  });
});

describe("formatExposure", () => {
  it("joins every part", () => {
    expect(formatExposure({ exposureTime: 0.004, fNumber: 2.8, iso: 100, focalLength: 35 })).toBe(
      "1/250 s · f/2.8 · ISO 100 · 35 mm",
    );
  });

  it("leaves out missing parts", () => {
    expect(formatExposure({ fNumber: 8 })).toBe("f/8");
    expect(formatExposure({ iso: 3200, focalLength: 4.25 })).toBe("ISO 3200 · 4.3 mm");
    expect(formatExposure({ exposureTime: 1 / 60, iso: 400 })).toBe("1/60 s · ISO 400");
  });

  it("returns null when there is nothing to show", () => {
    expect(formatExposure(null)).toBeNull();
    expect(formatExposure(undefined)).toBeNull();
    expect(formatExposure({})).toBeNull();
    expect(formatExposure({ exposureTime: 0, fNumber: Number.NaN, iso: -1 })).toBeNull();
  });

  it("formats shutter speeds the way cameras do", () => {
    expect(formatExposureTime(1 / 8000)).toBe("1/8000 s");
    expect(formatExposureTime(0.0015625)).toBe("1/640 s");
    expect(formatExposureTime(0.5)).toBe("1/2 s");
    expect(formatExposureTime(0.8)).toBe("0.8 s");
    expect(formatExposureTime(2)).toBe("2 s");
    expect(formatExposureTime(2.5)).toBe("2.5 s");
    expect(formatExposureTime(30)).toBe("30 s");
    expect(formatExposureTime(0)).toBeNull();
  });
});

describe("formatDimensions", () => {
  it("uses a multiplication sign", () => {
    expect(formatDimensions(4000, 3000)).toBe("4000 × 3000");
    expect(formatDimensions(0, 10)).toBe("—");
  });
});

describe("fitInside", () => {
  it("scales the longer side down to the limit", () => {
    expect(fitInside({ width: 4000, height: 3000 }, 400)).toEqual({ width: 400, height: 300 });
    expect(fitInside({ width: 1000, height: 4000 }, 1600)).toEqual({ width: 400, height: 1600 });
  });

  it("never enlarges and copes with unknown sizes", () => {
    expect(fitInside({ width: 120, height: 80 }, 400)).toEqual({ width: 120, height: 80 });
    expect(fitInside({ width: 0, height: 0 }, 400)).toEqual({ width: 400, height: 400 });
  });
});
