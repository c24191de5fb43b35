import type { Db } from "../../db/client.js";
import type { EventBus } from "../../realtime/bus.js";
import type { ListingNotices } from "../../realtime/listing-notices.js";
import type { Clock } from "../../shared/clock.js";
import type { Logger } from "../../shared/logger.js";
import { AgreedPriceService } from "./agreements.service.js";
import { AlertService } from "./alerts.service.js";
import { PriceChecks } from "./checks.service.js";
import type { LiveRooms } from "./price-guard.ports.js";
import { ViolationOutbox } from "./violation-outbox.js";
import { ViolationService } from "./violations.service.js";

/**
 * The price guard (R12–R15), one part per sub-domain: agreed prices, the checks other services are given at
 * construction, the violation outbox (penalties enforced, alerts announced), violations and restrictions as read,
 * and the alert feeds.
 */
export class PriceGuardService {
  readonly agreements: AgreedPriceService;
  readonly alerts: AlertService;
  readonly outbox: ViolationOutbox;
  readonly checks: PriceChecks;
  readonly violations: ViolationService;

  constructor(deps: { db: Db; bus: EventBus; clock: Clock; log: Logger; rooms: LiveRooms; warningBps: number; listings: ListingNotices }) {
    const { db, bus, clock, log, rooms, warningBps, listings } = deps;
    this.agreements = new AgreedPriceService({ clock });
    this.alerts = new AlertService({ bus, log, rooms });
    this.outbox = new ViolationOutbox({ db, clock, log, alerts: this.alerts, rooms, listings });
    this.checks = new PriceChecks({ clock, log, warningBps, alerts: this.alerts, outbox: this.outbox });
    this.violations = new ViolationService({ clock, listings });
  }

  /** At start: violations committed by a process that stopped before announcing them. */
  recover(): Promise<number> {
    return this.outbox.recover();
  }
}
