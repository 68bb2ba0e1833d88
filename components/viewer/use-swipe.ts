"use client";

import { useRef } from "react";

const SWIPE_PX = 50;

/**
 * Swipe left/right (touch or pen, not the mouse) moves between photos: a
 * mostly horizontal move of at least SWIPE_PX. Spread the handlers on the
 * element that is swiped.
 */
export function useSwipe({ onPrevious, onNext }: { onPrevious: (() => void) | null; onNext: (() => void) | null }) {
  const swipe = useRef<{ x: number; y: number; id: number } | null>(null);
  return {
    onPointerDown: (event: React.PointerEvent) => {
      if (event.pointerType === "mouse") return;
      swipe.current = { x: event.clientX, y: event.clientY, id: event.pointerId };
    },
    onPointerUp: (event: React.PointerEvent) => {
      const start = swipe.current;
      swipe.current = null;
      if (!start || start.id !== event.pointerId) return;
      const dx = event.clientX - start.x;
      const dy = event.clientY - start.y;
      if (Math.abs(dx) < SWIPE_PX || Math.abs(dx) < Math.abs(dy) * 1.5) return;
      if (dx < 0) onNext?.();
      else onPrevious?.();
    },
    onPointerCancel: () => {
      swipe.current = null;
    },
  };
}
