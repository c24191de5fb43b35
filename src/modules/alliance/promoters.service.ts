import type { Context } from "../../shared/context.js";
import { Role } from "../../shared/auth.js";
import { userError } from "../../shared/user-errors.js";
import { toShop, type Shop } from "../catalog/index.js";
import { requireRole } from "./alliance.access.js";
import type { BindPromotionPidInput, SignPayoutAccountInput } from "./alliance.inputs.js";
import * as q from "./alliance.queries.js";
import { checkPayoutAccount, checkPid, missingOnboardingSteps, onboardingFactsOf, PromoterErrorCode, type PromoterUserError } from "./alliance.rules.js";
import { toPromoter, type Promoter, type PromoterOnboarding } from "./alliance.type.js";

export interface PromoterPayloadValue {
  promoter: Promoter | null;
  userErrors: PromoterUserError[];
}

const isUniqueViolation = (error: unknown): boolean => {
  const e = error as { code?: string; cause?: { code?: string } };
  return e?.code === "23505" || e?.cause?.code === "23505";
};

/** Users as the accounts know them (IdentityService): kept in the process, forgotten on a change of role. */
export interface KnownUsers {
  knownUser(userId: number): Promise<{ id: number; name: string; role: string } | null>;
}

/** Promoters and their onboarding: own shop, promotion PID, payout account (R6). */
export class PromoterService {
  constructor(private readonly deps: { users: KnownUsers }) {}

  /**
   * Named by every read of a shelf (a live room's viewers all open it): the user comes from the accounts' kept
   * users, so a kept public shelf is answered without PostgreSQL. A role taken away is seen at once on the process
   * that took it and on the others when they hear `accessChanged`.
   */
  async promoter(_ctx: Context, rowId: number): Promise<Promoter | null> {
    const user = await this.deps.users.knownUser(rowId);
    return user && user.role === Role.PROMOTER ? toPromoter(user) : null;
  }

  async promoterShop(ctx: Context, promoterId: number): Promise<Shop | null> {
    const own = await ctx.loaders.ownShopByPromoterId.load(promoterId);
    if (!own) return null;
    const row = await ctx.loaders.shopById.load(own.shopId);
    return row ? toShop(row) : null;
  }

  async onboarding(ctx: Context, promoterId: number): Promise<PromoterOnboarding> {
    const [profile, own] = await Promise.all([
      ctx.loaders.promoterProfileByUserId.load(promoterId),
      ctx.loaders.ownShopByPromoterId.load(promoterId),
    ]);
    const facts = onboardingFactsOf(profile, own !== null);
    const missing = missingOnboardingSteps(facts);
    const privileged = ctx.viewer?.userId === promoterId || ctx.viewer?.role === Role.ADMIN;
    return {
      ownShop: facts.hasOwnShop,
      promotionPidBound: facts.pidBound,
      payoutAccountSigned: facts.payoutSigned,
      missingSteps: missing,
      canPromote: missing.length === 0,
      promotionPid: privileged ? (profile?.promotionPid ?? null) : null,
      payoutChannel: privileged ? ((profile?.payoutChannel as PromoterOnboarding["payoutChannel"]) ?? null) : null,
      payoutAccountTail: privileged ? (profile?.payoutAccountTail ?? null) : null,
    };
  }

  async bindPromotionPid(ctx: Context, input: BindPromotionPidInput): Promise<PromoterPayloadValue> {
    requireRole(ctx, Role.PROMOTER);
    const me = ctx.viewer!.userId;
    const pid = input.pid.trim();
    const invalid = checkPid(pid);
    if (invalid) return { promoter: null, userErrors: [invalid] };
    const now = ctx.clock.now();
    const taken = (): PromoterPayloadValue => ({
      promoter: null,
      userErrors: [userError(PromoterErrorCode.PID_TAKEN, "That PID is bound to another promoter.", "pid")],
    });
    try {
      const bound = await ctx.db.transaction(async (tx) => {
        const holder = await q.profileByPid(tx, pid);
        if (holder && holder.userId !== me) return false;
        await q.ensureProfile(tx, me, now);
        await q.updateProfile(tx, me, { promotionPid: pid, pidBoundAt: now, updatedAt: now });
        return true;
      });
      if (!bound) return taken();
    } catch (error) {
      if (isUniqueViolation(error)) return taken();
      throw error;
    }
    return { promoter: await this.self(ctx), userErrors: [] };
  }

  async signPayoutAccount(ctx: Context, input: SignPayoutAccountInput): Promise<PromoterPayloadValue> {
    requireRole(ctx, Role.PROMOTER);
    const me = ctx.viewer!.userId;
    const accountNo = input.accountNo.trim();
    const errors = checkPayoutAccount(input.accountName, accountNo);
    if (errors.length > 0) return { promoter: null, userErrors: errors };
    const now = ctx.clock.now();
    await ctx.db.transaction(async (tx) => {
      await q.ensureProfile(tx, me, now);
      await q.updateProfile(tx, me, {
        payoutChannel: input.channel,
        payoutAccountName: input.accountName.trim(),
        payoutAccountTail: accountNo.slice(-4),
        payoutSignedAt: now,
        updatedAt: now,
      });
    });
    return { promoter: await this.self(ctx), userErrors: [] };
  }

  private async self(ctx: Context): Promise<Promoter> {
    ctx.loaders.promoterProfileByUserId.clear(ctx.viewer!.userId);
    return (await this.promoter(ctx, ctx.viewer!.userId))!;
  }
}
