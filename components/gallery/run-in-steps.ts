// Bulk operations (trash, restore, delete forever) run as steps of at most
// BULK_STEP images, each a server action answering in about a second. This
// calls them until the server says it is done, and shows "Moving 3,000 of
// 10,000 to the trash…" as a toast (announced by its live region) from the
// first step that leaves work over, so a long "Select all" is never silent.

import { toast } from "sonner";

import { type ActionState, errorMessage } from "@/components/run-action";
import type { BulkStep } from "@/lib/gallery-types";

const count = (n: number) => n.toLocaleString("en-US");

export type StepsResult =
  | { status: "success"; done: number; batch?: string }
  /** `done` images were changed before the failure: the view reloads what it shows. */
  | { status: "error"; done: number; message: string };

export async function runInSteps({
  total,
  step,
  progress,
}: {
  /** What the selection counts, for "… of N"; the server may find fewer. */
  total: number;
  /** One call of the action; `batch` is the previous step's, so a trash stays one batch for Undo. */
  step: (batch: string | undefined) => Promise<ActionState<BulkStep>>;
  /** The sentence while it runs, e.g. (done, total) => `Moving ${done} of ${total} to the trash…`. */
  progress: (done: string, total: string) => string;
}): Promise<StepsResult> {
  let done = 0;
  let batch: string | undefined;
  let toastId: string | number | undefined;
  try {
    for (;;) {
      const result = await step(batch);
      if (result.status !== "success" || !result.data) {
        return { status: "error", done, message: result.status === "error" ? errorMessage(result) : "Something went wrong." };
      }
      done += result.data.done;
      batch = result.data.batch ?? batch;
      if (!result.data.more) return { status: "success", done, batch };
      const text = progress(count(Math.min(done, total)), count(Math.max(total, done)));
      toastId = toast.loading(text, { id: toastId, duration: Infinity });
    }
  } finally {
    if (toastId !== undefined) toast.dismiss(toastId);
  }
}

/**
 * Says why a run failed, in the page's live region and a toast. Part of a long
 * selection may be done already: then `refresh` reloads the view to show the truth.
 */
export function reportStepsFailure(result: Extract<StepsResult, { status: "error" }>, say: (text: string) => void, refresh: () => void) {
  say(result.message);
  toast.error(result.message);
  if (result.done > 0) refresh();
}
