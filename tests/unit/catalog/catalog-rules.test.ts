import { describe, expect, it } from "vitest";
import { checkCrossBorder, checkProductDraft, ProductErrorCode, shopCanSell } from "../../../src/modules/catalog/catalog.rules.js";
import { parseGlobalId, toGlobalId } from "../../../src/shared/ids.js";

describe("product draft rules", () => {
  it("accepts a valid draft and parses its price to fen", () => {
    expect(checkProductDraft({ title: "Bangle", category: "jade/bangle", price: "199.90", stock: 0 })).toEqual({ errors: [], priceFen: 19_990 });
  });

  it("reports each bad field with its code", () => {
    const { errors } = checkProductDraft({ title: " ", category: "Jade Bangle", price: "0.00", stock: -1 });
    // (a blank title is refused before the rules, by the API's text validator)
    expect(errors.map((e) => e.code)).toEqual([
      ProductErrorCode.INVALID_CATEGORY,
      ProductErrorCode.INVALID_PRICE,
      ProductErrorCode.INVALID_STOCK,
    ]);
  });

  it("prices at the boundary: 0.01 yes, 0.00 and 0.001 no", () => {
    expect(checkProductDraft({ price: "0.01" }).priceFen).toBe(1);
    expect(checkProductDraft({ price: "0.00" }).errors).toHaveLength(1);
    expect(checkProductDraft({ price: "0.001" }).errors).toHaveLength(1);
  });

  it("keeps bonded warehouses to cross-border goods of cross-border shops (R15)", () => {
    expect(checkCrossBorder("CROSS_BORDER", true, "Ningbo")).toEqual([]);
    expect(checkCrossBorder("REGULAR", true, "Ningbo")[0]!.code).toBe(ProductErrorCode.CROSS_BORDER_NEEDS_CROSS_BORDER_SHOP);
    expect(checkCrossBorder("CROSS_BORDER", true, null)[0]!.code).toBe(ProductErrorCode.BONDED_WAREHOUSE_REQUIRED);
    expect(checkCrossBorder("CROSS_BORDER", false, "Ningbo")[0]!.code).toBe(ProductErrorCode.BONDED_WAREHOUSE_NOT_ALLOWED);
  });
});

describe("global ids", () => {
  it("round-trips and rejects junk", () => {
    expect(parseGlobalId(toGlobalId("Product", 42))).toEqual({ type: "Product", id: 42 });
    expect(parseGlobalId("not-an-id")).toBeNull();
    expect(parseGlobalId(Buffer.from("Product:-1").toString("base64url"))).toBeNull();
  });
});

describe("shop rules", () => {
  it("lets only a normal shop with credit above zero sell (R17)", () => {
    expect(shopCanSell({ status: "NORMAL", creditScore: 1 })).toBe(true);
    expect(shopCanSell({ status: "NORMAL", creditScore: 0 })).toBe(false);
    expect(shopCanSell({ status: "CART_DISABLED", creditScore: 90 })).toBe(false);
  });
});
