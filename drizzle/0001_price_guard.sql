CREATE TYPE "public"."price_guard_party" AS ENUM('MERCHANT', 'PROMOTER');--> statement-breakpoint
CREATE TYPE "public"."price_guard_penalty" AS ENUM('RESTRICTED_15_DAYS', 'RESTRICTED_30_DAYS', 'SUSPENDED');--> statement-breakpoint
CREATE TYPE "public"."price_guard_violation_kind" AS ENUM('BELOW_FLOOR', 'SPEC_MISMATCH');--> statement-breakpoint
CREATE TABLE "agreed_prices" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "agreed_prices_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"product_id" bigint NOT NULL,
	"agreed_price_fen" bigint NOT NULL,
	"units_per_order" integer DEFAULT 1 NOT NULL,
	"gifts" text[] DEFAULT '{}'::text[] NOT NULL,
	"filed_by" bigint NOT NULL,
	"filed_at" timestamp with time zone NOT NULL,
	CONSTRAINT "agreed_prices_price_positive" CHECK ("agreed_prices"."agreed_price_fen" > 0),
	CONSTRAINT "agreed_prices_units_positive" CHECK ("agreed_prices"."units_per_order" >= 1)
);
--> statement-breakpoint
CREATE TABLE "price_guard_restrictions" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "price_guard_restrictions_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"shop_id" bigint,
	"promoter_id" bigint,
	"penalty" "price_guard_penalty" NOT NULL,
	"step" integer NOT NULL,
	"starts_at" timestamp with time zone NOT NULL,
	"ends_at" timestamp with time zone,
	"lifted_at" timestamp with time zone,
	"lifted_by" bigint,
	"lift_reason" text,
	CONSTRAINT "price_guard_restrictions_subject" CHECK ("price_guard_restrictions"."shop_id" IS NOT NULL OR "price_guard_restrictions"."promoter_id" IS NOT NULL),
	CONSTRAINT "price_guard_restrictions_window" CHECK ("price_guard_restrictions"."ends_at" IS NULL OR "price_guard_restrictions"."ends_at" > "price_guard_restrictions"."starts_at")
);
--> statement-breakpoint
CREATE TABLE "price_guard_violations" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "price_guard_violations_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"kind" "price_guard_violation_kind" NOT NULL,
	"party" "price_guard_party" NOT NULL,
	"shop_id" bigint,
	"promoter_id" bigint,
	"product_id" bigint NOT NULL,
	"product_shop_id" bigint NOT NULL,
	"live_session_id" bigint,
	"flash_sale_id" bigint,
	"agreed_price_id" bigint NOT NULL,
	"quantity" integer NOT NULL,
	"hand_price_fen" bigint NOT NULL,
	"floor_fen" bigint NOT NULL,
	"units_per_order" integer NOT NULL,
	"restriction_id" bigint,
	"occurred_at" timestamp with time zone NOT NULL,
	"alerted_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "agreed_prices" ADD CONSTRAINT "agreed_prices_product_id_products_id_fk" FOREIGN KEY ("product_id") REFERENCES "public"."products"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "agreed_prices" ADD CONSTRAINT "agreed_prices_filed_by_users_id_fk" FOREIGN KEY ("filed_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "price_guard_restrictions" ADD CONSTRAINT "price_guard_restrictions_shop_id_shops_id_fk" FOREIGN KEY ("shop_id") REFERENCES "public"."shops"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "price_guard_restrictions" ADD CONSTRAINT "price_guard_restrictions_promoter_id_users_id_fk" FOREIGN KEY ("promoter_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "price_guard_restrictions" ADD CONSTRAINT "price_guard_restrictions_lifted_by_users_id_fk" FOREIGN KEY ("lifted_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "price_guard_violations" ADD CONSTRAINT "price_guard_violations_shop_id_shops_id_fk" FOREIGN KEY ("shop_id") REFERENCES "public"."shops"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "price_guard_violations" ADD CONSTRAINT "price_guard_violations_promoter_id_users_id_fk" FOREIGN KEY ("promoter_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "price_guard_violations" ADD CONSTRAINT "price_guard_violations_product_id_products_id_fk" FOREIGN KEY ("product_id") REFERENCES "public"."products"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "price_guard_violations" ADD CONSTRAINT "price_guard_violations_product_shop_id_shops_id_fk" FOREIGN KEY ("product_shop_id") REFERENCES "public"."shops"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "price_guard_violations" ADD CONSTRAINT "price_guard_violations_live_session_id_live_sessions_id_fk" FOREIGN KEY ("live_session_id") REFERENCES "public"."live_sessions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "price_guard_violations" ADD CONSTRAINT "price_guard_violations_flash_sale_id_flash_sales_id_fk" FOREIGN KEY ("flash_sale_id") REFERENCES "public"."flash_sales"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "price_guard_violations" ADD CONSTRAINT "price_guard_violations_agreed_price_id_agreed_prices_id_fk" FOREIGN KEY ("agreed_price_id") REFERENCES "public"."agreed_prices"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "price_guard_violations" ADD CONSTRAINT "price_guard_violations_restriction_id_price_guard_restrictions_id_fk" FOREIGN KEY ("restriction_id") REFERENCES "public"."price_guard_restrictions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "agreed_prices_product_idx" ON "agreed_prices" USING btree ("product_id","filed_at","id");--> statement-breakpoint
CREATE INDEX "price_guard_restrictions_shop_idx" ON "price_guard_restrictions" USING btree ("shop_id","starts_at");--> statement-breakpoint
CREATE INDEX "price_guard_restrictions_promoter_idx" ON "price_guard_restrictions" USING btree ("promoter_id","starts_at");--> statement-breakpoint
CREATE INDEX "price_guard_violations_shop_idx" ON "price_guard_violations" USING btree ("shop_id","id");--> statement-breakpoint
CREATE INDEX "price_guard_violations_product_shop_idx" ON "price_guard_violations" USING btree ("product_shop_id","id");--> statement-breakpoint
CREATE INDEX "price_guard_violations_promoter_idx" ON "price_guard_violations" USING btree ("promoter_id","id");--> statement-breakpoint
CREATE INDEX "price_guard_violations_unalerted_idx" ON "price_guard_violations" USING btree ("id") WHERE "price_guard_violations"."alerted_at" IS NULL;