import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload } from "jose";
import { AppError, ErrorCode } from "./errors.js";
import { VerifiedTokens, type TokenClaims, type TokenVerifier } from "./auth.js";

export interface JwksOptions {
  url: string;
  issuer: string;
  audience?: string;
  algorithms: string[];
  userClaim: string;
  roleClaim: string;
  nameClaim: string;
  maxLifetimeSeconds: number;
  clockToleranceSeconds: number;
  cooldownMs: number;
}

/** A claim by name; a name that is not a key of the payload is read as a dotted path (`realm_access.role`). */
export function claimAt(payload: Record<string, unknown>, name: string): unknown {
  if (name in payload) return payload[name];
  let value: unknown = payload;
  for (const part of name.split(".")) {
    if (typeof value !== "object" || value === null) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

const text = (value: unknown): string | null => {
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  if (typeof value === "string" && value.length > 0) return value;
  return null;
};

/**
 * The platform identity provider's tokens: asymmetric JWTs (RS256, ES256, EdDSA, ...) checked against its
 * published key set. jose keeps the keys (10 minutes) and fetches the set again when a token names a `kid`
 * it does not hold (at most once per cooldown, so random kids cannot make it hammer the provider).
 */
export class JwksVerifier implements TokenVerifier {
  private readonly keys: ReturnType<typeof createRemoteJWKSet>;
  private readonly verified = new VerifiedTokens();

  constructor(private readonly options: JwksOptions) {
    this.keys = createRemoteJWKSet(new URL(options.url), { cooldownDuration: options.cooldownMs, timeoutDuration: 5_000 });
  }

  async verify(token: string): Promise<TokenClaims> {
    const known = this.verified.get(token);
    if (known) return known;
    if (token.length > 8192) throw new AppError(ErrorCode.UNAUTHENTICATED, "The token is not valid.");
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.keys, {
        issuer: this.options.issuer,
        audience: this.options.audience,
        algorithms: this.options.algorithms,
        clockTolerance: this.options.clockToleranceSeconds,
        requiredClaims: ["exp", "iat"],
      }));
    } catch (error) {
      throw this.refusal(error);
    }
    const subject = text(claimAt(payload, this.options.userClaim));
    if (!subject || subject.length > 255) throw new AppError(ErrorCode.UNAUTHENTICATED, `The token has no usable ${this.options.userClaim} claim.`);
    if (payload.exp! - payload.iat! > this.options.maxLifetimeSeconds) {
      throw new AppError(ErrorCode.UNAUTHENTICATED, `The token lives longer than ${this.options.maxLifetimeSeconds} s; ask the identity provider for short-lived tokens.`);
    }
    const role = claimAt(payload, this.options.roleClaim);
    return this.verified.remember(token, {
      local: false,
      issuer: this.options.issuer,
      subject,
      role: Array.isArray(role) ? (role.map(text).find(Boolean) ?? null) : text(role),
      name: text(claimAt(payload, this.options.nameClaim)),
      expiresAt: payload.exp!,
    });
  }

  private refusal(error: unknown): AppError {
    if (error instanceof errors.JWTExpired) return new AppError(ErrorCode.UNAUTHENTICATED, "The token has expired.");
    if (error instanceof errors.JWTClaimValidationFailed) return new AppError(ErrorCode.UNAUTHENTICATED, `The token's ${error.claim} claim is not accepted here.`);
    if (error instanceof errors.JWKSNoMatchingKey) return new AppError(ErrorCode.UNAUTHENTICATED, "The token is signed with a key the identity provider does not publish.");
    // The key set could not be fetched: the caller's token may be fine, the gateway cannot tell now.
    // (jose throws its generic error, code ERR_JOSE_GENERIC, for a non-200 or non-JSON answer of the key set URL.)
    if (
      error instanceof errors.JWKSTimeout ||
      error instanceof errors.JWKSInvalid ||
      !(error instanceof errors.JOSEError) ||
      error.code === "ERR_JOSE_GENERIC"
    ) {
      return new AppError(ErrorCode.SERVICE_UNAVAILABLE, "The identity provider's keys cannot be fetched now; try again shortly.");
    }
    return new AppError(ErrorCode.UNAUTHENTICATED, "The token is not valid.");
  }
}
