"use client";

import { useCallback, useEffect, useRef, useState } from "react";

import { monthLabel } from "@/components/gallery/timeline-position";

export type MonthOffsets = { offsets: Map<string, number>; top: number; height: number };

/**
 * The date scrubber on the timeline's edge: years marked where their photos
 * are, drag or click to jump to a month, or use it as a slider from the
 * keyboard (arrows: a month, Page Up/Down: a year). Months not loaded yet are
 * placeholders in the grid, so a jump is a scroll; the grid then loads that
 * month (?from=) as it comes into view.
 */
export function DateScrubber({
  months,
  layout,
  onJump,
}: {
  /** Newest first. */
  months: readonly { month: string; count: number }[];
  /** Where each month's header is in the document (from the grid's rows). */
  layout: MonthOffsets | null;
  onJump: (month: string) => void;
}) {
  const track = useRef<HTMLDivElement>(null);
  const [current, setCurrent] = useState(0);
  const [dragging, setDragging] = useState(false);

  const monthAtScroll = useCallback(() => {
    if (!layout) return 0;
    // At the very end of the page, the last month is the one in view, though its header cannot reach the top.
    if (window.scrollY > 0 && window.scrollY + window.innerHeight >= document.documentElement.scrollHeight - 2) return months.length - 1;
    const y = window.scrollY + 96;
    let index = 0;
    months.forEach((m, i) => {
      const at = layout.offsets.get(m.month);
      if (at !== undefined && at <= y) index = i;
    });
    return index;
  }, [layout, months]);

  useEffect(() => {
    const update = () => setCurrent(monthAtScroll());
    update();
    window.addEventListener("scroll", update, { passive: true });
    return () => window.removeEventListener("scroll", update);
  }, [monthAtScroll]);

  const fraction = (month: string) => {
    if (!layout || layout.height <= 0) return 0;
    const at = layout.offsets.get(month);
    return at === undefined ? 0 : Math.min(1, Math.max(0, (at - layout.top) / layout.height));
  };

  const jump = (index: number) => {
    const clamped = Math.min(months.length - 1, Math.max(0, index));
    setCurrent(clamped);
    onJump(months[clamped].month);
  };

  const indexAtPointer = (clientY: number) => {
    const rect = track.current!.getBoundingClientRect();
    const f = (clientY - rect.top) / rect.height;
    let index = 0;
    months.forEach((m, i) => {
      if (fraction(m.month) <= f) index = i;
    });
    return index;
  };

  if (months.length < 2) return null;
  const years = months.filter((m, i) => i === 0 || months[i - 1].month.slice(0, 4) !== m.month.slice(0, 4));
  const active = months[current] ?? months[0];

  return (
    <div
      ref={track}
      role="slider"
      tabIndex={0}
      aria-label="Jump to month"
      aria-orientation="vertical"
      aria-valuemin={0}
      aria-valuemax={months.length - 1}
      aria-valuenow={current}
      aria-valuetext={monthLabel(active.month)}
      data-testid="date-scrubber"
      onKeyDown={(event) => {
        const step = { ArrowDown: 1, ArrowRight: 1, ArrowUp: -1, ArrowLeft: -1, PageDown: 12, PageUp: -12 }[event.key];
        if (step !== undefined) {
          event.preventDefault();
          jump(current + step);
        } else if (event.key === "Home" || event.key === "End") {
          event.preventDefault();
          jump(event.key === "Home" ? 0 : months.length - 1);
        }
      }}
      onPointerDown={(event) => {
        event.currentTarget.setPointerCapture(event.pointerId);
        setDragging(true);
        jump(indexAtPointer(event.clientY));
      }}
      onPointerMove={(event) => {
        if (dragging) jump(indexAtPointer(event.clientY));
      }}
      onPointerUp={() => setDragging(false)}
      onPointerCancel={() => setDragging(false)}
      className="group fixed top-32 right-0 bottom-4 z-10 w-7 cursor-ns-resize touch-none select-none sm:w-14"
    >
      <div aria-hidden="true" className="absolute inset-y-0 right-3 w-px bg-zinc-300 sm:right-2 dark:bg-zinc-700" />
      {years.map((m) => (
        <span
          key={m.month}
          aria-hidden="true"
          style={{ top: `${fraction(m.month) * 100}%` }}
          className="absolute right-4 hidden -translate-y-1/2 text-[11px] font-medium text-zinc-700 tabular-nums sm:block dark:text-zinc-300"
        >
          {m.month.slice(0, 4)}
        </span>
      ))}
      <span
        aria-hidden="true"
        style={{ top: `${fraction(active.month) * 100}%` }}
        className="absolute right-1.5 h-1 w-3 -translate-y-1/2 rounded-full bg-sky-600 sm:right-0.5 dark:bg-sky-400"
      />
      <span
        aria-hidden="true"
        style={{ top: `${fraction(active.month) * 100}%` }}
        className={`absolute right-8 -translate-y-1/2 rounded-md bg-zinc-900 px-2 py-1 text-xs font-medium whitespace-nowrap text-white shadow sm:right-16 dark:bg-zinc-100 dark:text-zinc-900 ${
          dragging ? "block" : "hidden group-hover:block group-focus-visible:block"
        }`}
      >
        {monthLabel(active.month, true)}
      </span>
    </div>
  );
}
