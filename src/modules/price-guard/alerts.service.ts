import type { Context } from "../../shared/context.js";
import type { EventBus } from "../../realtime/bus.js";
import { eventStream } from "../../realtime/event-stream.js";
import { granted, guardedStream, type AccessRevoked } from "../../realtime/guarded-stream.js";
import type { PriceGuardAlertPayload } from "../../realtime/topics.js";
import { Role, type Viewer } from "../../shared/auth.js";
import { badInput, forbidden, notFound, unauthenticated } from "../../shared/errors.js";
import { idOf } from "../../shared/ids.js";
import type { Logger } from "../../shared/logger.js";
import { activeViewer } from "../accounts/index.js";
import { promoterShopId } from "../alliance/index.js";
import { shopById } from "../catalog/index.js";
import { liveSessionById } from "../live/index.js";
import type { LiveRooms } from "./price-guard.ports.js";
import type { PriceGuardAlertRoot } from "./price-guard.type.js";

const MAX_ALERT_QUEUE = 64;

/** Who hears an alert: shops' feeds and rooms (each room's feed and its liveSessionEvents). */
export interface AlertTargets {
  shopIds: (number | null)[];
  rooms: (number | null)[];
}

/** Price-guard alerts (R13–R14): publishing them to shops' and rooms' feeds, and the priceGuardAlerts subscription. */
export class AlertService {
  constructor(private readonly deps: { bus: EventBus; log: Logger; rooms: LiveRooms }) {}

  async publish(payload: PriceGuardAlertPayload, targets: AlertTargets): Promise<void> {
    const keys = new Set<string>(["all"]);
    for (const id of targets.shopIds) if (id !== null) keys.add(`shop:${id}`);
    const rooms = new Set(targets.rooms.filter((id): id is number => id !== null));
    for (const id of rooms) keys.add(`room:${id}`);
    const { bus, log } = this.deps;
    await Promise.all([
      ...[...keys].map((key) => bus.publish("priceGuardAlert", key, payload).catch((error) => log.warn("could not publish a price-guard alert", { key, error }))),
      ...[...rooms].map((room) => this.deps.rooms.publish(room, payload)),
    ]);
  }

  /**
   * priceGuardAlerts: a merchant watches its own shop, a promoter (and its overlay, signed in as the promoter) its
   * room, an admin anything (no arguments: every alert). Everyone else is refused here, before any event flows.
   */
  async watchAlerts(
    ctx: Context,
    shopGlobalId: string | null | undefined,
    sessionGlobalId: string | null | undefined,
  ): Promise<AsyncIterableIterator<PriceGuardAlertPayload | AccessRevoked>> {
    const viewer = ctx.viewer;
    if (!viewer) throw unauthenticated();
    const admin = viewer.role === Role.ADMIN;
    const shopId = shopGlobalId ? idOf("Shop", shopGlobalId, "shopId") : null;
    const sessionId = sessionGlobalId ? idOf("LiveSession", sessionGlobalId, "liveSessionId") : null;
    if (shopId === null && sessionId === null && !admin) throw badInput("Give a shopId or a liveSessionId.", "shopId");
    // Read fresh rows every time: this runs again whenever the viewer's rights change (accessChanged), and a
    // merchant whose shop changed hands must stop receiving its alerts.
    const authorize = async (now: Viewer | null) => {
      if (!now) throw unauthenticated();
      // The role as it is now (guardedStream refreshed it): an admin demoted since subscribing loses the feed.
      let allowed = now.role === Role.ADMIN;
      if (shopId !== null) {
        const shop = await shopById(ctx.db, shopId);
        if (!shop) throw notFound("Shop");
        allowed ||= shop.ownerId === now.userId || (now.role === Role.PROMOTER && (await promoterShopId(ctx.db, now.userId)) === shopId);
      }
      if (sessionId !== null) {
        const session = await liveSessionById(ctx.db, sessionId);
        if (!session) throw notFound("Live session");
        allowed ||= now.role === Role.PROMOTER && session.promoterId === now.userId;
      }
      if (!allowed) throw forbidden("watching these price-guard alerts");
    };
    const key = sessionId !== null ? `room:${sessionId}` : shopId !== null ? `shop:${shopId}` : "all";
    const wanted = (a: PriceGuardAlertPayload) =>
      sessionId === null || shopId === null || a.productShopRowId === shopId || a.violatingShopRowId === shopId;
    return guardedStream({
      bus: this.deps.bus,
      viewer: ctx.checked,
      refresh: activeViewer(ctx.db),
      authorize,
      open: async () =>
        eventStream<PriceGuardAlertPayload>({
          start: (push) => this.deps.bus.subscribe("priceGuardAlert", key, (alert) => wanted(alert) && push(alert)),
          maxQueue: MAX_ALERT_QUEUE,
          onDrop: () => this.deps.log.warn("a slow price-guard alert subscriber lost its oldest alert", { key }),
        }),
    });
  }

  alertForEvent(event: PriceGuardAlertPayload | AccessRevoked): PriceGuardAlertRoot {
    const payload = granted(event);
    return { ...payload, at: new Date(payload.at) };
  }
}
