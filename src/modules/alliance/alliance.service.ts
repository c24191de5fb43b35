import { CommissionPlanService } from "./commission-plans.service.js";
import { DistributionService } from "./distribution.service.js";
import { PromoterService } from "./promoters.service.js";
import { SampleService } from "./samples.service.js";
import { SelectionService } from "./selection.service.js";
import { ShelfService } from "./shelves.service.js";

/** The alliance, one service per sub-domain: distribution (R1–R3), commission plans (R4–R5), promoters and the selection center (R6), shelves and samples (R7). */
export class AllianceService {
  readonly distribution = new DistributionService();
  readonly plans = new CommissionPlanService();
  readonly promoters = new PromoterService();
  readonly selection = new SelectionService();
  readonly shelves = new ShelfService();
  readonly samples = new SampleService();
}
