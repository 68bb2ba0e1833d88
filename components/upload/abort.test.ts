import { describe, expect, it } from "vitest";

import { isAbortError, sleep } from "@/components/upload/abort";

describe("sleep", () => {
  it("resolves after the delay and rejects when aborted", async () => {
    await expect(sleep(1)).resolves.toBeUndefined();
    const controller = new AbortController();
    const waiting = sleep(60_000, controller.signal);
    controller.abort();
    await expect(waiting).rejects.toSatisfy(isAbortError);
  });
});
