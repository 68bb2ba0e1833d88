import type { CDPSession, Page } from "@playwright/test";

/**
 * A platform passkey authenticator inside Chromium (CDP WebAuthn domain): it
 * creates real credentials and signs real assertions, and answers at once
 * as if the user touched the sensor and passed the fingerprint check.
 */
export class VirtualAuthenticator {
  private constructor(
    private readonly cdp: CDPSession,
    readonly id: string,
  ) {}

  static async attach(page: Page): Promise<VirtualAuthenticator> {
    const cdp = await page.context().newCDPSession(page);
    await cdp.send("WebAuthn.enable", { enableUI: false });
    const { authenticatorId } = await cdp.send("WebAuthn.addVirtualAuthenticator", {
      options: {
        protocol: "ctap2",
        transport: "internal",
        hasResidentKey: true,
        hasUserVerification: true,
        isUserVerified: true,
        automaticPresenceSimulation: true,
      },
    });
    return new VirtualAuthenticator(cdp, authenticatorId);
  }

  async credentials() {
    return (await this.cdp.send("WebAuthn.getCredentials", { authenticatorId: this.id })).credentials;
  }

  /** false: the fingerprint check fails, which the browser reports like a cancelled prompt. */
  async setUserVerified(isUserVerified: boolean) {
    await this.cdp.send("WebAuthn.setUserVerified", { authenticatorId: this.id, isUserVerified });
  }
}
