CREATE TYPE "public"."price_guard_attempt_reason" AS ENUM('POINTS_BELOW_FLOOR', 'SPEC_MISMATCH');--> statement-breakpoint
CREATE TABLE "price_guard_attempts" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "price_guard_attempts_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"reason" "price_guard_attempt_reason" NOT NULL,
	"product_id" bigint NOT NULL,
	"product_shop_id" bigint NOT NULL,
	"promoter_id" bigint,
	"live_session_id" bigint,
	"flash_sale_id" bigint,
	"agreed_price_id" bigint NOT NULL,
	"quantity" integer NOT NULL,
	"points_fen" bigint NOT NULL,
	"hand_price_fen" bigint NOT NULL,
	"floor_fen" bigint NOT NULL,
	"occurred_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "price_guard_attempts" ADD CONSTRAINT "price_guard_attempts_product_id_products_id_fk" FOREIGN KEY ("product_id") REFERENCES "public"."products"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "price_guard_attempts" ADD CONSTRAINT "price_guard_attempts_product_shop_id_shops_id_fk" FOREIGN KEY ("product_shop_id") REFERENCES "public"."shops"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "price_guard_attempts" ADD CONSTRAINT "price_guard_attempts_promoter_id_users_id_fk" FOREIGN KEY ("promoter_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "price_guard_attempts" ADD CONSTRAINT "price_guard_attempts_live_session_id_live_sessions_id_fk" FOREIGN KEY ("live_session_id") REFERENCES "public"."live_sessions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "price_guard_attempts" ADD CONSTRAINT "price_guard_attempts_flash_sale_id_flash_sales_id_fk" FOREIGN KEY ("flash_sale_id") REFERENCES "public"."flash_sales"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "price_guard_attempts" ADD CONSTRAINT "price_guard_attempts_agreed_price_id_agreed_prices_id_fk" FOREIGN KEY ("agreed_price_id") REFERENCES "public"."agreed_prices"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "price_guard_attempts_product_idx" ON "price_guard_attempts" USING btree ("product_id","id");--> statement-breakpoint
CREATE INDEX "price_guard_attempts_shop_idx" ON "price_guard_attempts" USING btree ("product_shop_id","id");