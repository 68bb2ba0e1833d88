// Shared by the forms (client-side hints) and the server actions (the real check),
// so it deliberately has no "server-only" import and touches no secrets.
import { z } from "zod";

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
export const beginUploadSchema = z.object({
  name: z
    .string()
    .max(1024)
    .transform((s) => s.split(/[\\/]/).pop()!.replace(/[\u0000-\u001f\u007f]/g, "").trim().slice(0, 255))
    .pipe(z.string().min(1, "The file needs a name.")),
  size: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
});

export const uploadIdSchema = z.object({ uploadId: z.uuid() });

/** A selection is explicit ids or "everything"; "everything" is resolved on the server, never from a loaded page. */
export const selectionSchema = z.union([
  z.object({ all: z.literal(true), except: z.array(z.uuid()).max(100_000).optional() }),
  z.object({ ids: z.array(z.uuid()).min(1, "Select at least one image.").max(100_000) }),
]);

export const selectionInputSchema = z.object({ selection: selectionSchema });
