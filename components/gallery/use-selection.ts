"use client";

import { useCallback, useMemo, useRef, useState } from "react";
import type { z } from "zod";

import type { GalleryItem } from "@/lib/gallery-types";
import type { selectionSchema } from "@/lib/schemas";

/**
 * A selection as the actions take it, inferred from the zod schema (after it
 * unpacks the wire format): explicit ids, or "everything" with exceptions,
 * which the server resolves (pages never loaded included).
 */
export type Selection = z.output<typeof selectionSchema>;

type State = { mode: "ids"; ids: ReadonlySet<string> } | { mode: "all"; except: ReadonlySet<string> };

const NONE: State = { mode: "ids", ids: new Set() };

export function useSelection({ items, total }: { items: GalleryItem[]; total: number }) {
  const [state, setState] = useState<State>(NONE);
  // Where shift-click and shift+arrow ranges start.
  const anchor = useRef<string | null>(null);

  const isSelected = useCallback((id: string) => (state.mode === "all" ? !state.except.has(id) : state.ids.has(id)), [state]);

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

  const range = useCallback(
    (from: string, to: string): string[] => {
      const a = items.findIndex((item) => item.id === from);
      const b = items.findIndex((item) => item.id === to);
      if (a < 0 || b < 0) return [to];
      const [lo, hi] = a < b ? [a, b] : [b, a];
      return items.slice(lo, hi + 1).map((item) => item.id);
    },
    [items],
  );

  /** A click on a check mark (or on a tile in selection mode); with Shift, everything from the anchor follows it. */
  const toggle = useCallback(
    (id: string, { shiftKey = false, selected }: { shiftKey?: boolean; selected?: boolean } = {}) => {
      const next = selected ?? !isSelected(id);
      if (shiftKey && anchor.current) setMany(range(anchor.current, id), next);
      else setMany([id], next);
      anchor.current = id;
    },
    [isSelected, range, setMany],
  );

  /** Shift+arrow: selects from the anchor (or `from`, the tile focus left) to `to`. */
  const extendTo = useCallback(
    (from: string, to: string) => {
      anchor.current ??= from;
      setMany(range(anchor.current, to), true);
    },
    [range, setMany],
  );

  const selectAll = useCallback(() => setState({ mode: "all", except: new Set() }), []);
  const clear = useCallback(() => {
    anchor.current = null;
    setState(NONE);
  }, []);

  const selection = useMemo((): Selection => {
    if (state.mode === "all") return state.except.size ? { all: true, except: [...state.except] } : { all: true };
    return { ids: [...state.ids] };
  }, [state]);

  /** Loaded items that are selected, for previews in the confirmation dialog. */
  const selectedLoaded = useMemo(() => items.filter((item) => isSelected(item.id)), [items, isSelected]);

  return { count, total, isSelected, toggle, extendTo, selectAll, clear, selection, selectedLoaded, allMode: state.mode === "all" };
}

export type SelectionApi = ReturnType<typeof useSelection>;

/** PhotoGrid's side of a selection: which tiles are ticked, and what a click or Shift+arrow does. */
export function gridSelection(selection: SelectionApi) {
  return { isSelected: selection.isSelected, selectionMode: selection.count > 0, onToggle: selection.toggle, onExtend: selection.extendTo };
}

/**
 * The loaded items a selection covers: its ids, or for "all" every loaded
 * item but the exceptions (the server resolves the pages never loaded).
 */
export function loadedIdsOf(selection: Selection, items: readonly GalleryItem[]): string[] {
  if ("ids" in selection) return selection.ids;
  const kept = new Set(selection.except ?? []);
  return items.filter((item) => !kept.has(item.id)).map((item) => item.id);
}
