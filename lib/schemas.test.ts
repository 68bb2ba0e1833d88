import { describe, expect, it } from "vitest";

import { beginUploadSchema, changePasswordSchema, loginSchema, passwordSchema, registerSchema, usernameSchema } from "@/lib/schemas";

/** The stored name of an upload called `name`, or the messages refusing it. */
function uploadName(name: string): string | string[] {
  const parsed = beginUploadSchema.safeParse({ name, size: 1 });
  return parsed.success ? parsed.data.name : parsed.error.issues.map((i) => i.message);
}

describe("the upload name", () => {
  it("keeps an ordinary name as it is, in any script", () => {
    expect(uploadName("IMG_0001.JPG")).toBe("IMG_0001.JPG");
    expect(uploadName("Été à Zürich – 東京 🌸.png")).toBe("Été à Zürich – 東京 🌸.png");
  });

  it("drops every directory part, Unix or Windows", () => {
    expect(uploadName("holiday/2024/beach.jpg")).toBe("beach.jpg");
    expect(uploadName("C:\\Users\\ada\\Pictures\\cat.png")).toBe("cat.png");
    expect(uploadName("../../etc/passwd")).toBe("passwd");
    expect(uploadName("..\\..\\boot.ini")).toBe("boot.ini");
  });

  it("drops control characters and the spaces around the name", () => {
    expect(uploadName("  evil\u0000name\u0007\r\n.png\u007f  ")).toBe("evilname.png");
    expect(uploadName("a\tb.png")).toBe("ab.png");
  });

  it("refuses a name that is nothing once cleaned", () => {
    for (const name of ["", "   ", "photos/", "C:\\dir\\", "\u0000\u0001", "/ \t"]) {
      expect(uploadName(name)).toEqual(["The file needs a name."]);
    }
  });

  it("keeps at most 255 characters, never cutting one in half", () => {
    expect(uploadName("a".repeat(300))).toBe("a".repeat(255));
    // 🌸 is two UTF-16 units: cut at 255 units, half of it would remain.
    const name = uploadName("a".repeat(254) + "🌸🌸") as string;
    expect(name.startsWith("a".repeat(254))).toBe(true);
    expect(name.isWellFormed()).toBe(true);
    expect([...name].length).toBeLessThanOrEqual(255);
  });

  it("refuses an over-long raw name before cleaning it", () => {
    expect(beginUploadSchema.safeParse({ name: "a".repeat(1025), size: 1 }).success).toBe(false);
    expect(uploadName("d/".repeat(400) + "x.png")).toBe("x.png"); // 802 characters: within 1024
  });

  it("takes a whole, non-negative size", () => {
    for (const size of [-1, 1.5, Number.NaN, "10"]) expect(beginUploadSchema.safeParse({ name: "a.png", size }).success).toBe(false);
    expect(beginUploadSchema.parse({ name: "a.png", size: 0 }).size).toBe(0);
  });
});

describe("account fields", () => {
  it("trims usernames but never passwords", () => {
    expect(usernameSchema.parse("  ada.l_1-x ")).toBe("ada.l_1-x");
    expect(passwordSchema.parse("  spaced out  ")).toBe("  spaced out  ");
    expect(loginSchema.parse({ username: " ada ", password: " pw " })).toEqual({ username: "ada", password: " pw " });
  });

  it("takes passwords of 8 to 128 characters, all of them", () => {
    expect(passwordSchema.safeParse("x".repeat(7)).success).toBe(false);
    expect(passwordSchema.parse("x".repeat(128))).toHaveLength(128);
    expect(passwordSchema.safeParse("x".repeat(129)).success).toBe(false);
  });

  it("refuses a display name with control characters and mismatched confirmations", () => {
    const base = { username: "ada", displayName: "Ada", password: "long enough", confirmPassword: "long enough" };
    expect(registerSchema.safeParse(base).success).toBe(true);
    const control = registerSchema.safeParse({ ...base, displayName: "Ada\u0007" });
    expect(control.error?.issues.map((i) => [i.path.join("."), i.message])).toEqual([
      ["displayName", "Display name cannot contain control characters."],
    ]);
    const mismatch = changePasswordSchema.safeParse({ currentPassword: "old", newPassword: "new password", confirmPassword: "new passw0rd" });
    expect(mismatch.error?.issues.map((i) => [i.path.join("."), i.message])).toEqual([["confirmPassword", "Passwords do not match."]]);
  });
});
