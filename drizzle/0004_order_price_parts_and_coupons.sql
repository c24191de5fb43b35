-- The order checks are NOT VALID: they hold for every order written from now on, without refusing to migrate a
-- ledger that already holds orders priced before them (R12 was not enforced then).
ALTER TABLE "orders" ADD COLUMN "coupon_id" bigint;--> statement-breakpoint
ALTER TABLE "orders" ADD COLUMN "request_hash" text;--> statement-breakpoint
ALTER TABLE "coupons" ADD COLUMN "total_quantity" integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE "coupons" ADD COLUMN "per_buyer_limit" integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE "coupons" ADD COLUMN "redeemed_count" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "orders" ADD CONSTRAINT "orders_coupon_id_coupons_id_fk" FOREIGN KEY ("coupon_id") REFERENCES "public"."coupons"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "orders_coupon_buyer_idx" ON "orders" USING btree ("coupon_id","buyer_id") WHERE "orders"."coupon_id" is not null;--> statement-breakpoint
ALTER TABLE "orders" ADD CONSTRAINT "orders_parts_add_up" CHECK ("orders"."total_fen" = "orders"."unit_price_fen" * "orders"."quantity" - "orders"."subsidy_fen" - "orders"."shop_coupon_fen" - "orders"."promoter_coupon_fen" - "orders"."points_fen") NOT VALID;--> statement-breakpoint
ALTER TABLE "orders" ADD CONSTRAINT "orders_parts_nonnegative" CHECK ("orders"."unit_price_fen" > 0 and "orders"."subsidy_fen" >= 0 and "orders"."shop_coupon_fen" >= 0 and "orders"."promoter_coupon_fen" >= 0 and "orders"."points_fen" >= 0) NOT VALID;--> statement-breakpoint
ALTER TABLE "orders" ADD CONSTRAINT "orders_unit_at_least_one_fen" CHECK ("orders"."total_fen" >= "orders"."quantity") NOT VALID;--> statement-breakpoint
ALTER TABLE "coupons" ADD CONSTRAINT "coupons_min_spend_nonnegative" CHECK ("coupons"."min_spend_fen" >= 0);--> statement-breakpoint
ALTER TABLE "coupons" ADD CONSTRAINT "coupons_window" CHECK ("coupons"."valid_until" > "coupons"."valid_from");--> statement-breakpoint
ALTER TABLE "coupons" ADD CONSTRAINT "coupons_quantities" CHECK ("coupons"."total_quantity" > 0 and "coupons"."per_buyer_limit" > 0);--> statement-breakpoint
ALTER TABLE "coupons" ADD CONSTRAINT "coupons_redeemed_within_quantity" CHECK ("coupons"."redeemed_count" >= 0 and "coupons"."redeemed_count" <= "coupons"."total_quantity");