import { accountsRows } from "./accounts.rows.js";
import { afterSalesRows } from "./after-sales.rows.js";
import { allianceRows } from "./alliance.rows.js";
import { catalogRows } from "./catalog.rows.js";
import { liveRows } from "./live.rows.js";
import { onboardingRows } from "./onboarding.rows.js";
import { priceGuardRows } from "./price-guard.rows.js";
import { settlementRows } from "./settlement.rows.js";
import type { MatrixRow } from "./matrix.js";

/** Every module's rows; add yours here. */
export const MATRIX_ROWS: MatrixRow[] = [...catalogRows, ...accountsRows, ...allianceRows, ...liveRows, ...priceGuardRows, ...onboardingRows, ...settlementRows, ...afterSalesRows];
