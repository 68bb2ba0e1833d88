// A software passkey for tests: real P-256 keys from node:crypto, real
// attestation objects and real signatures, built byte by byte as the WebAuthn
// spec lays them out, so lib/passkeys verifies them with @simplewebauthn/server
// exactly as it verifies a phone's. No "server-only": tests import it directly.
import { createHash, generateKeyPairSync, randomBytes, sign } from "node:crypto";

import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from "@simplewebauthn/server";
import { isoCBOR } from "@simplewebauthn/server/helpers";

const FLAG_UP = 0x01;
const FLAG_UV = 0x04;
const FLAG_BE = 0x08;
const FLAG_BS = 0x10;
const FLAG_AT = 0x40;

const sha256 = (data: Buffer | string) => createHash("sha256").update(data).digest();
const b64u = (data: Buffer | Uint8Array) => Buffer.from(data).toString("base64url");

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}

export class SoftAuthenticator {
  readonly credentialId = randomBytes(16);
  private readonly keys = generateKeyPairSync("ec", { namedCurve: "P-256" });
  private userHandle?: string;
  private counter = 0;

  /** `synced`: behaves like a synced passkey (backed up, counter always 0); otherwise counts signatures like a security key. */
  constructor(private readonly opts: { origin: string; synced?: boolean }) {}

  get id(): string {
    return b64u(this.credentialId);
  }

  private flags(userVerified: boolean, extra = 0): number {
    return FLAG_UP | (userVerified ? FLAG_UV : 0) | (this.opts.synced ? FLAG_BE | FLAG_BS : 0) | extra;
  }

  private nextCounter(): number {
    if (!this.opts.synced) this.counter += 1;
    return this.counter;
  }

  private clientData(type: "webauthn.create" | "webauthn.get", challenge: string, origin = this.opts.origin): Buffer {
    return Buffer.from(JSON.stringify({ type, challenge, origin, crossOrigin: false }));
  }

  /** The public key as COSE_Key (EC2, ES256), as authenticators encode it. */
  private coseKey(): Uint8Array {
    const jwk = this.keys.publicKey.export({ format: "jwk" });
    return isoCBOR.encode(
      new Map<number, number | Uint8Array>([
        [1, 2], // kty: EC2
        [3, -7], // alg: ES256
        [-1, 1], // crv: P-256
        [-2, new Uint8Array(Buffer.from(jwk.x!, "base64url"))],
        [-3, new Uint8Array(Buffer.from(jwk.y!, "base64url"))],
      ]),
    );
  }

  /** navigator.credentials.create() */
  register(
    options: PublicKeyCredentialCreationOptionsJSON,
    { origin, rpId = options.rp.id!, userVerified = true }: { origin?: string; rpId?: string; userVerified?: boolean } = {},
  ): RegistrationResponseJSON {
    this.userHandle = options.user.id;
    const idLength = Buffer.alloc(2);
    idLength.writeUInt16BE(this.credentialId.length);
    const authData = Buffer.concat([
      sha256(rpId),
      Buffer.from([this.flags(userVerified, FLAG_AT)]),
      u32(this.nextCounter()),
      Buffer.alloc(16), // AAGUID: none
      idLength,
      this.credentialId,
      Buffer.from(this.coseKey()),
    ]);
    const attestationObject = isoCBOR.encode(
      new Map<string, string | Uint8Array | Map<string, string>>([
        ["fmt", "none"],
        ["attStmt", new Map<string, string>()],
        ["authData", new Uint8Array(authData)],
      ]),
    );
    return {
      id: this.id,
      rawId: this.id,
      type: "public-key",
      response: {
        clientDataJSON: b64u(this.clientData("webauthn.create", options.challenge, origin)),
        attestationObject: b64u(attestationObject),
        transports: ["internal"],
      },
      clientExtensionResults: {},
    };
  }

  /** navigator.credentials.get() */
  signIn(
    options: PublicKeyCredentialRequestOptionsJSON,
    { origin, rpId = options.rpId!, userVerified = true, userHandle = this.userHandle }: { origin?: string; rpId?: string; userVerified?: boolean; userHandle?: string } = {},
  ): AuthenticationResponseJSON {
    const authData = Buffer.concat([sha256(rpId), Buffer.from([this.flags(userVerified)]), u32(this.nextCounter())]);
    const clientDataJSON = this.clientData("webauthn.get", options.challenge, origin);
    // ECDSA over authenticatorData || SHA-256(clientDataJSON); node:crypto's default is DER, as WebAuthn wants.
    const signature = sign("sha256", Buffer.concat([authData, sha256(clientDataJSON)]), this.keys.privateKey);
    return {
      id: this.id,
      rawId: this.id,
      type: "public-key",
      response: {
        clientDataJSON: b64u(clientDataJSON),
        authenticatorData: b64u(authData),
        signature: b64u(signature),
        userHandle,
      },
      clientExtensionResults: {},
    };
  }
}
