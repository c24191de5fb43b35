import type { TestGateway } from "./gateway.js";
import { AnswerCaseDocument, OpenCaseDocument } from "./generated/graphql.js";
import { moneyOrder, moneyShop, party } from "./settlement.js";

/** Gateways of the after-sales tests: no schedules (tests sweep by hand, on their clock). */
export const CASE_ENV = { SETTLEMENT_INTERVAL_MS: "0", AFTER_SALES_SWEEP_MS: "0", AUTO_RECEIVE_DAYS: "10", AFTER_SALES_ANSWER_HOURS: "48", AFTER_SALES_WINDOW_DAYS: "15" };

/** A shop with a product, its merchant, a buyer and one of its orders (RECEIVED now, by default). */
export async function caseSetup(
  gw: TestGateway,
  options: { status?: "ACCEPTED" | "SHIPPED" | "RECEIVED" | "SETTLED" | "REFUNDED"; totalFen?: number; receivedAt?: Date | null; creditScore?: number; createdAt?: Date } = {},
) {
  const shop = await moneyShop(gw, { shop: options.creditScore === undefined ? {} : { creditScore: options.creditScore } });
  const buyer = await party(gw, "BUYER");
  const status = options.status ?? "RECEIVED";
  const receivedAt = options.receivedAt !== undefined ? options.receivedAt : status === "RECEIVED" || status === "SETTLED" ? new Date() : null;
  const order = await moneyOrder(gw.database.db, {
    buyerId: buyer.id,
    shopId: shop.shop.id,
    productId: shop.product.id,
    totalFen: options.totalFen ?? 10_000,
    status,
    receivedAt,
    createdAt: options.createdAt,
  });
  return { ...shop, buyer, order };
}

export type CaseSetup = Awaited<ReturnType<typeof caseSetup>>;

export async function openCase(
  gw: TestGateway,
  s: CaseSetup,
  input: { reason?: "NOT_RECEIVED" | "DESCRIPTION_MISMATCH" | "QUALITY" | "FREIGHT" | "OTHER"; kind?: "REFUND_ONLY" | "RETURN_AND_REFUND"; amount?: string } = {},
) {
  const response = await gw.request(
    OpenCaseDocument,
    {
      input: {
        orderId: s.order.id,
        reason: input.reason ?? "DESCRIPTION_MISMATCH",
        kind: input.kind ?? "REFUND_ONLY",
        amount: input.amount,
        description: "The jade bracelet is dyed, not the natural colour the stream showed.",
        images: ["https://img.example.com/evidence/1.jpg"],
      },
    },
    s.buyer.token,
  );
  const payload = response.data?.openAfterSalesCase;
  if (!payload?.afterSalesCase) throw new Error(`case not opened: ${JSON.stringify(response)}`);
  return payload.afterSalesCase;
}

export function answer(gw: TestGateway, s: CaseSetup, caseId: string, input: { answer: "ACCEPT" | "REJECT" | "PROPOSE_PARTIAL"; amount?: string; note?: string }) {
  return gw.request(AnswerCaseDocument, { input: { caseId, ...input } }, s.merchant.token).then((r) => {
    if (!r.data) throw new Error(JSON.stringify(r));
    return r.data.answerAfterSalesCase;
  });
}
