import { jwtVerify, SignJWT, errors as joseErrors } from "jose";
import { registerEnumType, type AuthChecker } from "type-graphql";
import { AppError, ErrorCode, forbidden, unauthenticated } from "./errors.js";

export enum Role {
  BUYER = "BUYER",
  MERCHANT = "MERCHANT",
  PROMOTER = "PROMOTER",
  ADMIN = "ADMIN",
  ANALYST = "ANALYST",
}
registerEnumType(Role, { name: "Role", description: "What a user is to the platform." });

export interface Viewer {
  userId: number;
  role: Role;
  /** Seconds since the epoch at which the token stops being valid. */
  expiresAt: number;
}

export class TokenService {
  private readonly key: Uint8Array;
  constructor(
    secret: string,
    private readonly ttlSeconds: number,
  ) {
    this.key = new TextEncoder().encode(secret);
  }

  async mint(userId: number, role: Role, ttlSeconds = this.ttlSeconds): Promise<string> {
    return new SignJWT({ role })
      .setProtectedHeader({ alg: "HS256" })
      .setSubject(String(userId))
      .setIssuer("liveshelf")
      .setIssuedAt()
      .setExpirationTime(Math.floor(Date.now() / 1000) + ttlSeconds)
      .sign(this.key);
  }

  /** The viewer a token names; a missing token is an anonymous viewer (null), a bad one is UNAUTHENTICATED. */
  async verify(token: string | null | undefined): Promise<Viewer | null> {
    if (!token) return null;
    try {
      const { payload } = await jwtVerify(token, this.key, { issuer: "liveshelf", algorithms: ["HS256"] });
      const role = payload.role;
      const userId = Number(payload.sub);
      if (typeof role !== "string" || !(role in Role) || !Number.isSafeInteger(userId) || !payload.exp) {
        throw new AppError(ErrorCode.UNAUTHENTICATED, "The token does not name a user and a role.");
      }
      return { userId, role: role as Role, expiresAt: payload.exp };
    } catch (error) {
      if (error instanceof AppError) throw error;
      const reason = error instanceof joseErrors.JWTExpired ? "The token has expired." : "The token is not valid.";
      throw new AppError(ErrorCode.UNAUTHENTICATED, reason);
    }
  }
}

export function bearerToken(header: string | string[] | undefined | null): string | null {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) return null;
  const match = /^Bearer\s+(\S+)$/i.exec(value.trim());
  if (!match) throw new AppError(ErrorCode.UNAUTHENTICATED, "The Authorization header must be `Bearer <token>`.");
  return match[1]!;
}

/** `@Authorized(Role.X, ...)`: signed in, and one of the roles (none listed: any signed-in user). */
export const authChecker: AuthChecker<{ viewer: Viewer | null }, Role> = ({ context }, roles) => {
  if (!context.viewer) throw unauthenticated();
  if (roles.length > 0 && !roles.includes(context.viewer.role)) {
    throw forbidden(`this operation as ${context.viewer.role}`);
  }
  return true;
};
