import { randomUUID } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from "jose";

export type SigningAlg = "RS256" | "ES256" | "EdDSA";

interface Key {
  kid: string;
  alg: SigningAlg;
  privateKey: CryptoKey;
  jwk: JWK;
  published: boolean;
}

/**
 * The platform's identity provider as the tests need it: a JWKS endpoint on 127.0.0.1 (no network) and a signer.
 * Keys are added (published or not) while it runs, as a provider rotates them.
 */
export class TestIdentityProvider {
  readonly issuer = "https://id.platform.test/";
  readonly audience = "liveshelf-gateway";
  /** Requests the gateway made for the key set. */
  fetches = 0;
  /** While true the endpoint answers 503, as a provider that is down. */
  down = false;
  private readonly keys: Key[] = [];

  private constructor(
    private readonly server: Server,
    readonly jwksUrl: string,
  ) {}

  static async start(): Promise<TestIdentityProvider> {
    let provider: TestIdentityProvider;
    const server = createServer((req, res) => {
      if (req.url !== "/.well-known/jwks.json") return res.writeHead(404).end();
      provider.fetches++;
      if (provider.down) return res.writeHead(503).end();
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ keys: provider.keys.filter((k) => k.published).map((k) => k.jwk) }));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    provider = new TestIdentityProvider(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`);
    return provider;
  }

  /** The gateway's settings for this provider. */
  env(extra: Record<string, string> = {}): Record<string, string> {
    return { JWKS_URL: this.jwksUrl, JWT_ISSUER: this.issuer, JWT_AUDIENCE: this.audience, JWKS_COOLDOWN_MS: "0", ...extra };
  }

  async addKey(alg: SigningAlg, published = true): Promise<string> {
    const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true, ...(alg === "EdDSA" ? { crv: "Ed25519" } : {}) });
    const kid = `${alg}-${randomUUID().slice(0, 8)}`;
    this.keys.push({ kid, alg, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg, use: "sig" }, published });
    return kid;
  }

  publish(kid: string): void {
    this.key(kid).published = true;
  }

  /** A token signed with `kid` (the first key when not given); claims and lifetime may be overridden. */
  async token(
    claims: Record<string, unknown>,
    options: { kid?: string; issuer?: string; audience?: string; lifetimeSeconds?: number; issuedAgoSeconds?: number } = {},
  ): Promise<string> {
    const key = options.kid ? this.key(options.kid) : this.keys[0]!;
    const iat = Math.floor(Date.now() / 1000) - (options.issuedAgoSeconds ?? 0);
    return new SignJWT(claims)
      .setProtectedHeader({ alg: key.alg, kid: key.kid })
      .setIssuer(options.issuer ?? this.issuer)
      .setAudience(options.audience ?? this.audience)
      .setIssuedAt(iat)
      .setExpirationTime(iat + (options.lifetimeSeconds ?? 600))
      .sign(key.privateKey);
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private key(kid: string): Key {
    const key = this.keys.find((k) => k.kid === kid);
    if (!key) throw new Error(`no key ${kid}`);
    return key;
  }
}
