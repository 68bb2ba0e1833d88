import { MongoClient } from "mongodb";
import { afterEach, describe, expect, it, vi } from "vitest";
import { z } from "zod";

import { type ActionState, publicAction } from "@/lib/action";
import { AppError, ERROR_CODES } from "@/lib/errors";
import { registerSchema } from "@/lib/schemas";

// publicAction runs the same validation, error mapping and redirect as every
// signed-in action (authedAction adds only auth(), which needs a Next request).

type ErrorState = Extract<ActionState<unknown>, { status: "error" }>;

function form(fields: Record<string, string | Blob>): FormData {
  const data = new FormData();
  for (const [key, value] of Object.entries(fields)) data.append(key, value);
  return data;
}

function expectError(state: ActionState<unknown>): ErrorState {
  expect(state.status).toBe("error");
  return state as ErrorState;
}

/** Captures what the server logs as errors (instead of printing it); call the result to read it. */
function captureServerLog() {
  const spy = vi.spyOn(console, "error").mockImplementation(() => {});
  return () => spy.mock.calls.map((args) => args.map((a) => (a instanceof Error ? `${a.name}: ${a.message}` : String(a))).join(" ")).join("\n");
}

afterEach(() => {
  vi.restoreAllMocks();
});

const registration = {
  username: "ada",
  displayName: "Ada",
  password: "correct horse battery",
  confirmPassword: "correct horse battery",
};

describe("publicAction", () => {
  it("validates before running: field errors by field, and the handler never sees bad input", async () => {
    let ran = 0;
    const action = publicAction({ schema: registerSchema, run: async () => void ran++ });
    const state = expectError(
      await action(undefined, form({ ...registration, username: "a!", displayName: "  ", confirmPassword: "something else" })),
    );
    expect(ran).toBe(0);
    expect(state.code).toBe("invalid_input");
    expect(state.message).toBe(ERROR_CODES.invalid_input);
    expect(state.fieldErrors).toEqual({
      username: ["Username must be at least 3 characters.", "Use only letters, digits, dots, underscores and hyphens."],
      displayName: ["Display name is required."],
      confirmPassword: ["Passwords do not match."],
    });
  });

  it("names the form itself when an error belongs to no field", async () => {
    const action = publicAction({ schema: z.string().min(3, "Too short."), run: async () => undefined });
    expect(expectError(await action(undefined, "ab")).fieldErrors).toEqual({ form: ["Too short."] });
  });

  it("never echoes a password back, whatever the field is called", async () => {
    const secret = "hunter2-is-my-password";
    const action = publicAction({
      schema: z.object({ username: z.string().min(10, "Longer, please.") }).loose(),
      run: async () => undefined,
    });
    const state = expectError(
      await action(
        undefined,
        form({ username: "ada", password: secret, currentPassword: secret, newPassword: secret, confirmPassword: secret, PASSWORD2: secret }),
      ),
    );
    expect(state.values).toEqual({ username: "ada" });
    expect(JSON.stringify(state)).not.toContain(secret);
  });

  it("echoes what was typed, shortened, and leaves out files and React's own fields", async () => {
    const action = publicAction({ schema: z.object({ never: z.literal("set") }), run: async () => undefined });
    const state = expectError(
      await action(
        undefined,
        form({ note: "x".repeat(500), picture: new Blob(["bytes"]), $ACTION_ID_abc: "", $ACTION_REF_1: "", displayName: "Ada" }),
      ),
    );
    expect(state.values).toEqual({ note: "x".repeat(200), displayName: "Ada" });
  });

  it("hands the handler the parsed form, repeated fields as a list, without React's fields", async () => {
    const seen: unknown[] = [];
    const action = publicAction({
      schema: z.object({ name: z.string().trim(), tag: z.array(z.string()) }).strict(),
      run: async ({ input, user }) => {
        seen.push(input, user);
        return input.tag.length;
      },
      successMessage: "Saved.",
    });
    const data = form({ name: "  Ada  ", tag: "a", $ACTION_ID_abc: "" });
    data.append("tag", "b");
    expect(await action(undefined, data)).toEqual({ status: "success", message: "Saved.", data: 2 });
    expect(seen).toEqual([{ name: "Ada", tag: ["a", "b"] }, null]);
  });

  it("takes plain objects too (actions called from code)", async () => {
    const action = publicAction({ schema: z.object({ n: z.number() }), run: async ({ input }) => input.n * 2 });
    expect(await action(undefined, { n: 21 })).toEqual({ status: "success", message: undefined, data: 42 });
    expect(expectError(await action(undefined, { n: "21" })).values).toBeUndefined();
  });

  it("returns a typed error as a state, with its message, field errors, wait and the form's values", async () => {
    const action = publicAction({
      schema: registerSchema,
      run: async () => {
        throw new AppError("rate_limited", "Too many sign-ups. Try again in 5 minutes.", {
          retryAfterSeconds: 300,
          fieldErrors: { username: ["Taken."] },
        });
      },
    });
    const state = expectError(await action(undefined, form(registration)));
    expect(state).toEqual({
      status: "error",
      code: "rate_limited",
      message: "Too many sign-ups. Try again in 5 minutes.",
      retryAfterSeconds: 300,
      fieldErrors: { username: ["Taken."] },
      values: { username: "ada", displayName: "Ada" },
    });
  });

  it("answers an unexpected failure generically and logs its text on the server only", async () => {
    const log = captureServerLog();
    const action = publicAction({
      schema: z.object({}),
      run: async () => {
        throw new Error("E11000 duplicate key in collection users: secret internals");
      },
    });
    const state = expectError(await action(undefined, {}));
    expect([state.code, state.message]).toEqual(["internal", ERROR_CODES.internal]);
    expect(JSON.stringify(state)).not.toContain("secret internals");
    expect(log()).toContain("secret internals");
  });

  it("answers 'unavailable' when the database cannot be reached", async () => {
    const log = captureServerLog();
    // A real driver failure: nothing listens on port 1.
    const client = new MongoClient("mongodb://127.0.0.1:1/none", { serverSelectionTimeoutMS: 200 });
    const action = publicAction({
      schema: z.object({}),
      run: async () => {
        await client.db().collection("users").findOne({});
      },
    });
    try {
      const state = expectError(await action(undefined, {}));
      expect([state.code, state.message]).toEqual(["unavailable", ERROR_CODES.unavailable]);
      expect(log()).toMatch(/MongoServerSelectionError/);
    } finally {
      await client.close();
    }
  });

  it("redirects after success: the redirect is thrown to Next, not turned into a state", async () => {
    let ran = 0;
    const action = publicAction({
      schema: z.object({ id: z.string() }),
      run: async ({ input }) => {
        ran++;
        return input.id;
      },
      redirectTo: (id) => `/images/${id}`,
    });
    const thrown = await action(undefined, { id: "42" }).then(
      (state) => state,
      (err: unknown) => err,
    );
    expect(ran).toBe(1);
    expect((thrown as { digest?: string }).digest).toMatch(/^NEXT_REDIRECT;\w+;\/images\/42;30[37];/);
  });

  it("does not redirect when the handler failed", async () => {
    const action = publicAction({
      schema: z.object({}),
      run: async () => {
        throw new AppError("not_found");
      },
      redirectTo: "/",
    });
    expect(expectError(await action(undefined, {})).code).toBe("not_found");
  });

  it("lets a redirect or notFound() from inside the handler through to Next", async () => {
    const { notFound, redirect } = await import("next/navigation");
    const redirecting = publicAction({ schema: z.object({}), run: async () => redirect("/elsewhere") });
    const redirected = await redirecting(undefined, {}).then(
      (state) => state,
      (err: unknown) => err,
    );
    expect((redirected as { digest?: string }).digest).toMatch(/^NEXT_REDIRECT;\w+;\/elsewhere;/);

    const missing = publicAction({ schema: z.object({}), run: async () => notFound() });
    const notFoundThrown = await missing(undefined, {}).then(
      (state) => state,
      (err: unknown) => err,
    );
    expect((notFoundThrown as { digest?: string }).digest).toMatch(/NEXT_HTTP_ERROR_FALLBACK;404/);
  });
});
