// How a selection travels from the browser to the server actions. No secrets, no
// "server-only" and no zod: client components import it (lib/schemas.ts checks it).

/** The most images one selection may name, explicitly or as exceptions to "everything". */
export const MAX_SELECTION_IDS = 100_000;

/** A UUID without its hyphens. */
export const PACKED_ID_LENGTH = 32;

/**
 * Ids travel to the server actions packed into one string: each UUID as its
 * 32 hex digits, back to back. A plain array cannot carry a large selection:
 * React's server-action decoder (`decodeReply`) counts every character of
 * the strings inside one array against a limit of 1,000,000 and fails the
 * whole request above it ("Maximum array nesting exceeded", a 500), which an
 * array of UUIDs reaches at about 27,000 ids. One string is not counted, so
 * the real limit is the actions' body size: MAX_SELECTION_IDS ids make
 * 3.2 MB, inside `serverActions.bodySizeLimit` (4.5 MB, next.config.js).
 */
export function packIds(ids: readonly string[]): string {
  return ids.map((id) => id.replaceAll("-", "").toLowerCase()).join("");
}

/** The inverse of `packIds` (lib/schemas.ts then checks every id is a UUID). */
export function unpackIds(packed: string): string[] {
  const ids: string[] = [];
  for (let i = 0; i + PACKED_ID_LENGTH <= packed.length; i += PACKED_ID_LENGTH) {
    const h = packed.slice(i, i + PACKED_ID_LENGTH).toLowerCase();
    ids.push(`${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`);
  }
  return ids;
}

/** What the browser sends for a selection. */
export type SelectionWire = { ids: string } | { all: true; except?: string; search?: string };

/** Packs a selection for a server action: one string of ids, however many there are. `search`: all results of that query. */
export function packSelection(
  selection: { ids: readonly string[] } | { all: true; except?: readonly string[]; search?: string },
): SelectionWire {
  if ("ids" in selection) return { ids: packIds(selection.ids) };
  const search = selection.search === undefined ? {} : { search: selection.search };
  return selection.except?.length ? { all: true, except: packIds(selection.except), ...search } : { all: true, ...search };
}
