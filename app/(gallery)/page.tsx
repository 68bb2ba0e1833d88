import { SearchBox } from "@/components/gallery/search-box";
import { SearchView } from "@/components/gallery/search-view";
import { TimelineView } from "@/components/gallery/timeline-view";
import { withAnalysisStates } from "@/lib/analysis-queue";
import { limits } from "@/lib/config";
import { listImages, listMonths } from "@/lib/image-listing";
import { searchImages } from "@/lib/search";
import { requirePageUser } from "@/lib/session";

export default async function TimelinePage({ searchParams }: { searchParams: Promise<{ q?: string | string[] }> }) {
  const user = await requirePageUser();
  const raw = (await searchParams).q;
  // The query lives in the URL (?q=), so reload, back and forward show the same results.
  const q = (Array.isArray(raw) ? raw[0] : raw)?.slice(0, 1000).trim() ?? "";
  if (q) {
    const results = await searchImages({ ownerId: user.id, q });
    const items = await withAnalysisStates({ ownerId: user.id, items: results.items });
    return (
      <main className="mx-auto max-w-7xl px-4 pt-4">
        <SearchBox q={q} />
        <SearchView key={q} q={q} initial={{ ...results, items }} retentionDays={limits.trashRetentionDays} />
      </main>
    );
  }
  const [initial, months] = await Promise.all([listImages({ ownerId: user.id }), listMonths({ ownerId: user.id })]);
  const items = await withAnalysisStates({ ownerId: user.id, items: initial.items });
  return (
    <main className="mx-auto max-w-7xl px-4 pt-4">
      <SearchBox q="" />
      <TimelineView initial={{ ...initial, items }} months={months} maxBytes={limits.maxUploadBytes} retentionDays={limits.trashRetentionDays} />
    </main>
  );
}
