CREATE TYPE "public"."order_event_kind" AS ENUM('SHIPPED', 'RECEIVED', 'AUTO_RECEIVED', 'REFUNDED', 'SETTLED');--> statement-breakpoint
CREATE TYPE "public"."ledger_account_kind" AS ENUM('ESCROW', 'MERCHANT', 'MERCHANT_HELD', 'PROMOTER', 'PLATFORM_PROMOTION_FEE', 'PLATFORM_TECHNICAL_FEE', 'BUYER_REFUNDS');--> statement-breakpoint
CREATE TYPE "public"."ledger_posting_kind" AS ENUM('SETTLEMENT', 'REFUND', 'REFUND_REVERSAL', 'HOLD_RELEASE');--> statement-breakpoint
CREATE TYPE "public"."settlement_trigger" AS ENUM('SCHEDULE', 'ADMIN');--> statement-breakpoint
CREATE SEQUENCE "public"."ledger_posting_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1;--> statement-breakpoint
CREATE TABLE "order_events" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "order_events_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"order_id" bigint NOT NULL,
	"kind" "order_event_kind" NOT NULL,
	"from_status" "order_status" NOT NULL,
	"to_status" "order_status" NOT NULL,
	"actor_id" bigint,
	"actor_role" "user_role",
	"amount_fen" bigint,
	"note" text,
	"at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "order_refunds" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "order_refunds_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"order_id" bigint NOT NULL,
	"amount_fen" bigint NOT NULL,
	"after_settlement" boolean DEFAULT false NOT NULL,
	"reason" text NOT NULL,
	"actor_id" bigint,
	"at" timestamp with time zone NOT NULL,
	CONSTRAINT "order_refunds_amount_positive" CHECK ("order_refunds"."amount_fen" > 0)
);
--> statement-breakpoint
CREATE TABLE "shipments" (
	"order_id" bigint PRIMARY KEY NOT NULL,
	"carrier" text NOT NULL,
	"tracking_number" text NOT NULL,
	"shipped_by" bigint NOT NULL,
	"shipped_at" timestamp with time zone NOT NULL,
	CONSTRAINT "shipments_text_lengths" CHECK (length("shipments"."carrier") between 1 and 64 and length("shipments"."tracking_number") between 1 and 64)
);
--> statement-breakpoint
CREATE TABLE "ledger_accounts" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "ledger_accounts_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"kind" "ledger_account_kind" NOT NULL,
	"owner_id" bigint DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "ledger_entries" (
	"posting_id" bigint NOT NULL,
	"account_id" bigint NOT NULL,
	"kind" "ledger_posting_kind" NOT NULL,
	"amount_fen" bigint NOT NULL,
	"order_id" bigint,
	"refund_id" bigint,
	"at" timestamp with time zone NOT NULL,
	CONSTRAINT "ledger_entries_posting_id_account_id_pk" PRIMARY KEY("posting_id","account_id")
);
--> statement-breakpoint
CREATE TABLE "payout_freezes" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "payout_freezes_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"shop_id" bigint NOT NULL,
	"reason" text NOT NULL,
	"frozen_by" bigint,
	"frozen_at" timestamp with time zone NOT NULL,
	"released_by" bigint,
	"released_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "settlement_runs" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "settlement_runs_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"as_of" timestamp with time zone NOT NULL,
	"trigger" "settlement_trigger" NOT NULL,
	"started_by" bigint,
	"started_at" timestamp with time zone NOT NULL,
	"orders_settled" integer DEFAULT 0 NOT NULL,
	"amount_fen" bigint DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "settlements" (
	"order_id" bigint PRIMARY KEY NOT NULL,
	"run_id" bigint NOT NULL,
	"posting_id" bigint NOT NULL,
	"shop_id" bigint NOT NULL,
	"promoter_id" bigint,
	"buyer_id" bigint NOT NULL,
	"base_fen" bigint NOT NULL,
	"commission_rate_bps" integer NOT NULL,
	"commission_fen" bigint NOT NULL,
	"promotion_fee_fen" bigint NOT NULL,
	"promoter_fen" bigint NOT NULL,
	"technical_rate_bps" integer NOT NULL,
	"fanxing_base_fen" bigint DEFAULT 0 NOT NULL,
	"fanxing_rate_bps" integer DEFAULT 0 NOT NULL,
	"technical_fee_fen" bigint NOT NULL,
	"merchant_fen" bigint NOT NULL,
	"held" boolean DEFAULT false NOT NULL,
	"received_at" timestamp with time zone NOT NULL,
	"settled_at" timestamp with time zone NOT NULL,
	CONSTRAINT "settlements_parts_add_up" CHECK ("settlements"."base_fen" = "settlements"."merchant_fen" + "settlements"."promoter_fen" + "settlements"."promotion_fee_fen" + "settlements"."technical_fee_fen" and "settlements"."commission_fen" = "settlements"."promoter_fen" + "settlements"."promotion_fee_fen"),
	CONSTRAINT "settlements_parts_nonnegative" CHECK ("settlements"."merchant_fen" >= 0 and "settlements"."promoter_fen" >= 0 and "settlements"."promotion_fee_fen" >= 0 and "settlements"."technical_fee_fen" >= 0)
);
--> statement-breakpoint
CREATE TABLE "technical_fee_rates" (
	"category" text PRIMARY KEY NOT NULL,
	"rate_bps" integer NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "technical_fee_rates_range" CHECK ("technical_fee_rates"."rate_bps" between 0 and 5000)
);
--> statement-breakpoint
ALTER TABLE "order_events" ADD CONSTRAINT "order_events_order_id_orders_id_fk" FOREIGN KEY ("order_id") REFERENCES "public"."orders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "order_events" ADD CONSTRAINT "order_events_actor_id_users_id_fk" FOREIGN KEY ("actor_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "order_refunds" ADD CONSTRAINT "order_refunds_order_id_orders_id_fk" FOREIGN KEY ("order_id") REFERENCES "public"."orders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "order_refunds" ADD CONSTRAINT "order_refunds_actor_id_users_id_fk" FOREIGN KEY ("actor_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "shipments" ADD CONSTRAINT "shipments_order_id_orders_id_fk" FOREIGN KEY ("order_id") REFERENCES "public"."orders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "shipments" ADD CONSTRAINT "shipments_shipped_by_users_id_fk" FOREIGN KEY ("shipped_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ledger_entries" ADD CONSTRAINT "ledger_entries_account_id_ledger_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."ledger_accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "payout_freezes" ADD CONSTRAINT "payout_freezes_shop_id_shops_id_fk" FOREIGN KEY ("shop_id") REFERENCES "public"."shops"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "payout_freezes" ADD CONSTRAINT "payout_freezes_frozen_by_users_id_fk" FOREIGN KEY ("frozen_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "payout_freezes" ADD CONSTRAINT "payout_freezes_released_by_users_id_fk" FOREIGN KEY ("released_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "settlement_runs" ADD CONSTRAINT "settlement_runs_started_by_users_id_fk" FOREIGN KEY ("started_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "settlements" ADD CONSTRAINT "settlements_order_id_orders_id_fk" FOREIGN KEY ("order_id") REFERENCES "public"."orders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "order_events_order_idx" ON "order_events" USING btree ("order_id","id");--> statement-breakpoint
CREATE INDEX "order_refunds_order_idx" ON "order_refunds" USING btree ("order_id");--> statement-breakpoint
CREATE UNIQUE INDEX "ledger_accounts_kind_owner_idx" ON "ledger_accounts" USING btree ("kind","owner_id");--> statement-breakpoint
CREATE INDEX "ledger_entries_account_idx" ON "ledger_entries" USING btree ("account_id","at");--> statement-breakpoint
CREATE INDEX "ledger_entries_order_idx" ON "ledger_entries" USING btree ("order_id") WHERE "ledger_entries"."order_id" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "payout_freezes_open_idx" ON "payout_freezes" USING btree ("shop_id") WHERE "payout_freezes"."released_at" is null;--> statement-breakpoint
CREATE INDEX "settlements_shop_idx" ON "settlements" USING btree ("shop_id","settled_at");--> statement-breakpoint
CREATE INDEX "settlements_promoter_idx" ON "settlements" USING btree ("promoter_id","settled_at");--> statement-breakpoint
CREATE INDEX "settlements_run_idx" ON "settlements" USING btree ("run_id");--> statement-breakpoint
CREATE INDEX "orders_shipped_idx" ON "orders" USING btree ("id") WHERE "orders"."status" = 'SHIPPED';--> statement-breakpoint
CREATE INDEX "orders_received_due_idx" ON "orders" USING btree ("received_at","id") WHERE "orders"."status" = 'RECEIVED';