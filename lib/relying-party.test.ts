import { describe, expect, it } from "vitest";

import { relyingParty } from "@/lib/relying-party";

const headers = (h: Record<string, string>) => new Headers(h);
const env = (vars: Record<string, string>) => vars as unknown as NodeJS.ProcessEnv;

describe("relyingParty", () => {
  it("prefers WEBAUTHN_ORIGIN and WEBAUTHN_RP_ID over everything the request says", () => {
    const rp = relyingParty({
      headers: headers({ host: "attacker.example" }),
      env: env({ WEBAUTHN_ORIGIN: "https://photos.example.com, https://m.photos.example.com", WEBAUTHN_RP_ID: "photos.example.com", AUTH_URL: "https://x.example" }),
    });
    expect(rp).toEqual({ id: "photos.example.com", name: "Image Vault", origins: ["https://photos.example.com", "https://m.photos.example.com"] });
  });

  it("takes the RP ID from the first origin, and refuses an RP ID that does not cover an origin", () => {
    expect(relyingParty({ headers: headers({}), env: env({ WEBAUTHN_ORIGIN: "http://localhost:3244" }) })).toMatchObject({
      id: "localhost",
      origins: ["http://localhost:3244"],
    });
    expect(() =>
      relyingParty({ headers: headers({}), env: env({ WEBAUTHN_ORIGIN: "https://photos.example.com", WEBAUTHN_RP_ID: "other.example" }) }),
    ).toThrow(/not https:\/\/photos\.example\.com's host or a parent domain/);
    expect(() => relyingParty({ headers: headers({}), env: env({ WEBAUTHN_ORIGIN: "photos" }) })).toThrow(/WEBAUTHN_ORIGIN must be a URL/);
  });

  it("falls back to AUTH_URL, then to the request's host", () => {
    expect(relyingParty({ headers: headers({ host: "ignored.example" }), env: env({ AUTH_URL: "https://vault.example.org/api/auth" }) })).toMatchObject({
      id: "vault.example.org",
      origins: ["https://vault.example.org"],
    });
    expect(relyingParty({ headers: headers({ host: "localhost:3000" }), env: env({}) })).toMatchObject({
      id: "localhost",
      origins: ["http://localhost:3000"],
    });
    expect(
      relyingParty({ headers: headers({ host: "10.0.0.2:3000", "x-forwarded-host": "vault.example.org", "x-forwarded-proto": "https" }), env: env({}) }),
    ).toMatchObject({ id: "vault.example.org", origins: ["https://vault.example.org"] });
    expect(relyingParty({ headers: headers({ host: "vault.example.org" }), env: env({}) }).origins).toEqual(["https://vault.example.org"]);
    expect(() => relyingParty({ headers: headers({}), env: env({}) })).toThrow(/set WEBAUTHN_ORIGIN or AUTH_URL/);
  });
});
