"use client";

import { useCallback, useMemo, useRef, useState } from "react";

import type { GalleryItem } from "@/lib/gallery-types";

/**
 * Which images are selected. "All" means every image in the account, including
 * pages not loaded yet: it travels to the server as `{ all: true, except }` and
 * is resolved there, never from the loaded list.
 */
export type SelectionState = { mode: "ids"; ids: ReadonlySet<string> } | { mode: "all"; except: ReadonlySet<string> };

export type SelectionPayload = { ids: string[] } | { all: true; except?: string[] };

const NONE: SelectionState = { mode: "ids", ids: new Set() };

export function useSelection({ items, total }: { items: GalleryItem[]; total: number }) {
  const [state, setState] = useState<SelectionState>(NONE);
  // The anchor for shift-click ranges.
  const anchor = useRef<string | null>(null);

  const isSelected = useCallback(
    (id: string) => (state.mode === "all" ? !state.except.has(id) : state.ids.has(id)),
    [state],
  );

  const count = state.mode === "all" ? Math.max(0, total - state.except.size) : state.ids.size;

  const setMany = useCallback((ids: string[], selected: boolean) => {
    setState((prev) => {
      if (prev.mode === "all") {
        const except = new Set(prev.except);
        for (const id of ids) {
          if (selected) except.delete(id);
          else except.add(id);
        }
        return { mode: "all", except };
      }
      const next = new Set(prev.ids);
      for (const id of ids) {
        if (selected) next.add(id);
        else next.delete(id);
      }
      return { mode: "ids", ids: next };
    });
  }, []);

  /** A checkbox click; with Shift held, everything between the anchor and this item follows it. */
  const toggle = useCallback(
    (id: string, { shiftKey, selected }: { shiftKey: boolean; selected: boolean }) => {
      const from = anchor.current ? items.findIndex((item) => item.id === anchor.current) : -1;
      const to = items.findIndex((item) => item.id === id);
      if (shiftKey && from >= 0 && to >= 0) {
        const [lo, hi] = from < to ? [from, to] : [to, from];
        setMany(
          items.slice(lo, hi + 1).map((item) => item.id),
          selected,
        );
      } else {
        setMany([id], selected);
      }
      anchor.current = id;
    },
    [items, setMany],
  );

  const selectAll = useCallback(() => setState({ mode: "all", except: new Set() }), []);
  const clear = useCallback(() => {
    anchor.current = null;
    setState(NONE);
  }, []);

  const payload = useMemo((): SelectionPayload => {
    if (state.mode === "all") return state.except.size ? { all: true, except: [...state.except] } : { all: true };
    return { ids: [...state.ids] };
  }, [state]);

  /** Loaded items that are selected, for previews in the confirmation dialog. */
  const selectedLoaded = useMemo(() => items.filter((item) => isSelected(item.id)), [items, isSelected]);

  return { state, count, isSelected, toggle, selectAll, clear, payload, selectedLoaded, allMode: state.mode === "all" };
}
