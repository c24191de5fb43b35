import { CommissionPlanService } from "./commission-plans.service.js";
import { DistributionService } from "./distribution.service.js";
import { PromoterService, type KnownUsers } from "./promoters.service.js";
import { SampleService } from "./samples.service.js";
import { SelectionPages } from "./selection-pages.js";
import { SelectionService, type SelectionConnection } from "./selection.service.js";
import type { ListingNotices } from "../../realtime/listing-notices.js";
import type { Unsubscribe } from "../../realtime/bus.js";
import { PublicShelves } from "./public-shelves.js";
import { ShelfService } from "./shelves.service.js";

/** The alliance, one service per sub-domain: distribution (R1–R3), commission plans (R4–R5), promoters and the selection center (R6), shelves and samples (R7). */
export class AllianceService {
  readonly distribution = new DistributionService();
  readonly plans: CommissionPlanService;
  readonly promoters: PromoterService;
  readonly selection: SelectionService;
  readonly shelves: ShelfService;
  readonly samples = new SampleService();
  private readonly publicShelves = new PublicShelves();
  private readonly selectionPages = new SelectionPages<SelectionConnection>();
  private unsubscribe: Unsubscribe | null = null;

  constructor(private readonly deps: { listings: ListingNotices; users: KnownUsers }) {
    this.plans = new CommissionPlanService({ listings: deps.listings });
    this.promoters = new PromoterService({ users: deps.users });
    this.selection = new SelectionService(this.selectionPages);
    this.shelves = new ShelfService({ listings: deps.listings, publicShelves: this.publicShelves });
  }

  /** Public shelves and selection-center pages follow the listings' changes from here on. */
  async start(): Promise<void> {
    this.unsubscribe = await this.deps.listings.listen((change) => {
      this.publicShelves.changed(change);
      this.selectionPages.changed(change);
    });
  }

  async stop(): Promise<void> {
    await this.unsubscribe?.();
  }

  /** Changes may have been missed (the bus was away): nothing kept is trusted. */
  forgetKept(): void {
    this.publicShelves.clear();
    this.selectionPages.clear();
  }
}
