// Shared by the forms (client-side hints) and the server actions (the real check),
// so it deliberately has no "server-only" import and touches no secrets.
import { z } from "zod";

import { MAX_SELECTION_IDS, PACKED_ID_LENGTH, unpackIds } from "@/lib/selection-wire";

export const usernameSchema = z
  .string()
  .trim()
  .min(3, "Username must be at least 3 characters.")
  .max(32, "Username must be at most 32 characters.")
  .regex(/^[A-Za-z0-9._-]+$/, "Use only letters, digits, dots, underscores and hyphens.");

// Never trimmed or truncated: every character counts.
export const passwordSchema = z
  .string()
  .min(8, "Password must be at least 8 characters.")
  .max(128, "Password must be at most 128 characters.");

export const registerSchema = z
  .object({
    username: usernameSchema,
    displayName: z
      .string()
      .trim()
      .min(1, "Display name is required.")
      .max(64, "Display name must be at most 64 characters.")
      .refine((s) => !/[\u0000-\u001f\u007f]/.test(s), "Display name cannot contain control characters."),
    password: passwordSchema,
    confirmPassword: z.string(),
  })
  .refine((v) => v.password === v.confirmPassword, {
    path: ["confirmPassword"],
    message: "Passwords do not match.",
  });

export const loginSchema = z.object({
  username: z.string().trim().min(1, "Enter your username.").max(64),
  password: z.string().min(1, "Enter your password.").max(128, "Password must be at most 128 characters."),
});

export const changePasswordSchema = z
  .object({
    currentPassword: z.string().min(1, "Enter your current password.").max(128),
    newPassword: passwordSchema,
    confirmPassword: z.string(),
  })
  .refine((v) => v.newPassword === v.confirmPassword, {
    path: ["confirmPassword"],
    message: "Passwords do not match.",
  });

export const deleteAccountSchema = z.object({
  password: z.string().min(1, "Enter your password to confirm.").max(128),
});

export const emptySchema = z.object({});

/** Upload names are only ever shown back (encrypted at rest); control characters and path parts are dropped. */
/** How much of a file travels with "begin": enough for every accepted type's signature and most headers. */
export const BEGIN_HEAD_BYTES = 64 * 1024;

export const beginUploadSchema = z.object({
  name: z
    .string()
    .max(1024)
    .transform((s) => {
      const base = s.split(/[\\/]/).pop()!.replace(/[\u0000-\u001f\u007f]/g, "").trim();
      // Cut by code points: a UTF-16 cut could keep half of an emoji, an unpaired surrogate.
      return Array.from(base).slice(0, 255).join("");
    })
    .pipe(z.string().min(1, "The file needs a name.")),
  size: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  /** The file's first bytes (base64, up to BEGIN_HEAD_BYTES), so a non-image is refused before anything is stored. */
  head: z
    .string()
    .max(Math.ceil(BEGIN_HEAD_BYTES / 3) * 4)
    .regex(/^[A-Za-z0-9+/]*={0,2}$/, "The file's first bytes are not valid base64.")
    .optional(),
});

export const uploadIdSchema = z.object({ uploadId: z.uuid() });

/** A search as typed: any characters; only its first words are used (lib/search-index). */
export const searchQuerySchema = z.string().max(1000, "The search is too long.");

const tooMany = `Select at most ${MAX_SELECTION_IDS.toLocaleString("en-US")} images at a time.`;

const packedIdsSchema = z
  .string()
  .max(MAX_SELECTION_IDS * PACKED_ID_LENGTH, tooMany)
  .regex(/^[0-9a-fA-F]*$/, "The selection is not valid.")
  .refine((s) => s.length % PACKED_ID_LENGTH === 0, "The selection is not valid.")
  .transform(unpackIds)
  .pipe(z.array(z.uuid()).max(MAX_SELECTION_IDS, tooMany));

/**
 * A selection is explicit ids or "everything" (with exceptions), its ids
 * packed by `packSelection` (lib/selection-wire.ts); "everything" is resolved
 * on the server, never from a loaded page. The output is the plain
 * `{ ids: string[] } | { all: true, except?: string[] }` that lib/ takes.
 */
export const selectionSchema = z.union([
  // First: the plain "all" below would match too and strip `search`. "All results of this search".
  z.object({ all: z.literal(true), except: packedIdsSchema.optional(), search: searchQuerySchema }),
  z.object({ all: z.literal(true), except: packedIdsSchema.optional() }),
  z.object({ ids: packedIdsSchema.pipe(z.array(z.string()).min(1, "Select at least one image.")) }),
]);

export const selectionInputSchema = z.object({ selection: selectionSchema });

/** A trash step's name (its `trashedAt` in milliseconds): continues a long trash, or undoes one. */
export const trashBatchSchema = z.string().regex(/^\d{1,15}$/);
export const trashStepSchema = selectionInputSchema.extend({ batch: trashBatchSchema.optional() });
export const undoTrashSchema = z.object({ batch: trashBatchSchema });

/** What a person calls one of their passkeys ("Laptop", "Phone"); only ever shown back to them. */
export const passkeyNameSchema = z
  .string()
  .trim()
  .min(1, "Give the passkey a name.")
  .max(64, "A passkey name must be at most 64 characters.")
  .refine((s) => !/[\u0000-\u001f\u007f]/.test(s), "A passkey name cannot contain control characters.");

export const beginPasskeySchema = z.object({
  name: passkeyNameSchema,
  password: z.string().min(1, "Enter your password.").max(128),
});

const base64url = (max = 4096) => z.string().max(max).regex(/^[A-Za-z0-9_-]*$/, "Not base64url.");
// Browsers may report transports this server does not know yet; they are only hints, so unknown ones are dropped.
const TRANSPORTS = ["ble", "cable", "hybrid", "internal", "nfc", "smart-card", "usb"] as const;
const transports = z
  .array(z.string().max(32))
  .max(16)
  .transform((list) => list.filter((t): t is (typeof TRANSPORTS)[number] => (TRANSPORTS as readonly string[]).includes(t)));
const credentialBase = {
  id: base64url().min(1),
  rawId: base64url().min(1),
  type: z.literal("public-key"),
  clientExtensionResults: z.record(z.string(), z.unknown()).default({}),
  authenticatorAttachment: z.enum(["platform", "cross-platform"]).optional(),
};

/** A browser's `navigator.credentials.create()` answer, as @simplewebauthn/browser serialises it. */
export const registrationResponseSchema = z.object({
  ...credentialBase,
  response: z.object({
    clientDataJSON: base64url(),
    attestationObject: base64url(65_536),
    transports: transports.optional(),
  }),
});

/** A browser's `navigator.credentials.get()` answer. */
export const authenticationResponseSchema = z.object({
  ...credentialBase,
  response: z.object({
    clientDataJSON: base64url(),
    authenticatorData: base64url(),
    signature: base64url(),
    userHandle: base64url().optional(),
  }),
});

/** Ceremony results travel as one JSON string field (a form value, and Auth.js credentials are strings). */
function jsonField<S extends z.ZodType>(schema: S) {
  return z
    .string()
    .max(100_000)
    .transform((s, ctx) => {
      try {
        return JSON.parse(s) as unknown;
      } catch {
        ctx.addIssue({ code: "custom", message: "The passkey answer is not valid JSON." });
        return z.NEVER;
      }
    })
    .pipe(schema);
}

export const addPasskeySchema = z.object({ response: jsonField(registrationResponseSchema) });
export const passkeySignInSchema = z.object({ response: jsonField(authenticationResponseSchema) });
export const removePasskeySchema = z.object({ id: base64url().min(1) });

// ---- Albums and share links (lib/albums.ts, lib/shares.ts, lib/share-visitors.ts) ----

export const albumTitleSchema = z.string().trim().min(1, "Give the album a title.").max(200, "Use at most 200 characters.");
export const albumDescriptionSchema = z.string().trim().max(2000, "Use at most 2,000 characters.");

export const createAlbumSchema = z.object({
  title: albumTitleSchema,
  description: albumDescriptionSchema.optional(),
  /** Images to start with ("New album" from a selection). */
  selection: selectionSchema.optional(),
});
export const albumIdSchema = z.object({ albumId: z.uuid() });
export const albumSelectionSchema = albumIdSchema.extend({ selection: selectionSchema });
export const renameAlbumSchema = albumIdSchema.extend({ title: albumTitleSchema, description: albumDescriptionSchema.optional() });

export const expiryChoiceSchema = z.enum(["never", "1", "7", "30", "date"]);
const sharePasswordSchema = z.string().max(128, "Use at most 128 characters.");

export const shareOptionsSchema = z.object({
  expires: expiryChoiceSchema,
  date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "Choose a date.").optional(),
  password: sharePasswordSchema.optional(),
  allowDownload: z.boolean(),
  includeMeta: z.boolean(),
  hideNames: z.boolean(),
  displayName: z.string().trim().max(80, "Use at most 80 characters.").optional(),
  shareAnyway: z.boolean().optional(),
});
/** A link to an album, or to a selection. */
export const createShareSchema = z.union([
  shareOptionsSchema.extend({ albumId: z.uuid() }),
  shareOptionsSchema.extend({ selection: selectionSchema }),
]);
export const shareIdSchema = z.object({ shareId: z.uuid() });
export const updateShareSchema = shareIdSchema.extend({
  expires: expiryChoiceSchema.optional(),
  date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "Choose a date.").optional(),
  /** A new password; with `removePassword`, the link opens without one. */
  password: sharePasswordSchema.optional(),
  removePassword: z.boolean().optional(),
});
export const unlockShareSchema = z.object({
  token: z.string().max(512),
  password: z.string().min(1, "Enter the password.").max(128, "Use at most 128 characters."),
});

/** "Skip duplicates": a checkbox sent as "on" when checked, absent when not. */
export const skipDuplicatesSchema = z.object({ skip: z.union([z.literal("on"), z.boolean()]).optional() }).transform((v) => ({ skip: v.skip === "on" || v.skip === true }));
