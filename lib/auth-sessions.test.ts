import { describe, expect, it } from "vitest";

import { createSession, isSessionLive, revokeAllSessions, revokeSession } from "@/lib/auth-sessions";
import { getDb } from "@/lib/db";

describe("auth sessions", () => {
  it("ends one device's session on sign-out and leaves the others", async () => {
    const phone = await createSession({ userId: "u1" });
    const laptop = await createSession({ userId: "u1" });
    await revokeSession({ sessionId: phone });
    expect(await isSessionLive({ sessionId: phone, userId: "u1" })).toBe(false);
    expect(await isSessionLive({ sessionId: laptop, userId: "u1" })).toBe(true);
  });

  it("ends every session of a user at once, and only that user's", async () => {
    const a = await createSession({ userId: "u2" });
    const b = await createSession({ userId: "u2" });
    const other = await createSession({ userId: "u3" });
    await revokeAllSessions({ userId: "u2" });
    expect(await isSessionLive({ sessionId: a, userId: "u2" })).toBe(false);
    expect(await isSessionLive({ sessionId: b, userId: "u2" })).toBe(false);
    expect(await isSessionLive({ sessionId: other, userId: "u3" })).toBe(true);
  });

  it("refuses a session presented for another user, and one that idled out", async () => {
    const sid = await createSession({ userId: "u4" });
    expect(await isSessionLive({ sessionId: sid, userId: "u5" })).toBe(false);
    await (await getDb()).collection("auth_sessions").updateOne({ _id: sid } as never, { $set: { expiresAt: new Date(Date.now() - 1) } });
    expect(await isSessionLive({ sessionId: sid, userId: "u4" })).toBe(false);
  });

  it("slides the expiry of an active session", async () => {
    const sid = await createSession({ userId: "u6" });
    const coll = (await getDb()).collection<{ _id: string; lastSeenAt: Date; expiresAt: Date }>("auth_sessions");
    const old = new Date(Date.now() - 2 * 3600_000);
    await coll.updateOne({ _id: sid }, { $set: { lastSeenAt: old, expiresAt: new Date(Date.now() + 60_000) } });
    expect(await isSessionLive({ sessionId: sid, userId: "u6" })).toBe(true);
    const doc = await coll.findOne({ _id: sid });
    expect(doc!.expiresAt.getTime()).toBeGreaterThan(Date.now() + 6 * 86_400_000);
  });
});
