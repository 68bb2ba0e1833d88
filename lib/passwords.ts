import "server-only";

import { hash, verify } from "@node-rs/argon2";

// OWASP's Argon2id recommendation: 19 MiB, two passes, one lane.
const PARAMS = { algorithm: 2 /* Algorithm.Argon2id: a const enum, unusable with isolatedModules */, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export function hashPassword({ password }: { password: string }): Promise<string> {
  return hash(password, PARAMS);
}

export async function verifyPassword({ hash: encoded, password }: { hash: string; password: string }): Promise<boolean> {
  try {
    return await verify(encoded, password);
  } catch {
    return false;
  }
}

let dummy: Promise<string> | undefined;

/**
 * Verifying against a throwaway hash makes "no such user" cost the same as a
 * wrong password, so timing does not reveal which usernames exist.
 */
export async function burnPasswordCheck({ password }: { password: string }): Promise<void> {
  dummy ??= hashPassword({ password: "not-a-real-password-just-for-timing" });
  await verifyPassword({ hash: await dummy, password });
}
