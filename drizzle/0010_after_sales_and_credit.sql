CREATE TYPE "public"."after_sales_event_kind" AS ENUM('OPENED', 'ACCEPTED', 'REJECTED', 'PARTIAL_OFFERED', 'OFFER_ACCEPTED', 'PASSIVE_HANDLING', 'ESCALATED', 'ARBITRATED', 'AUTO_CLOSED', 'WITHDRAWN', 'REFUNDED', 'COMPENSATED');--> statement-breakpoint
CREATE TYPE "public"."after_sales_kind" AS ENUM('REFUND_ONLY', 'RETURN_AND_REFUND');--> statement-breakpoint
CREATE TYPE "public"."after_sales_outcome" AS ENUM('MERCHANT_ACCEPTED', 'PARTIAL_AGREED', 'PASSIVE_HANDLING', 'ARBITRATED_FOR_BUYER', 'ARBITRATED_FOR_MERCHANT', 'AUTO_CLOSED_FOR_BUYER', 'WITHDRAWN');--> statement-breakpoint
CREATE TYPE "public"."after_sales_payment" AS ENUM('NONE', 'REFUND', 'COMPENSATION');--> statement-breakpoint
CREATE TYPE "public"."after_sales_reason" AS ENUM('NOT_RECEIVED', 'DESCRIPTION_MISMATCH', 'QUALITY', 'FREIGHT', 'OTHER');--> statement-breakpoint
CREATE TYPE "public"."after_sales_status" AS ENUM('AWAITING_MERCHANT', 'PARTIAL_OFFERED', 'REJECTED', 'ESCALATED', 'CLOSED');--> statement-breakpoint
CREATE TYPE "public"."credit_cause" AS ENUM('OPENING', 'DESCRIPTION_MISMATCH', 'PASSIVE_HANDLING', 'LOST_ARBITRATION', 'RESTORATION');--> statement-breakpoint
ALTER TYPE "public"."ledger_account_kind" ADD VALUE 'MERCHANT_DEPOSIT';--> statement-breakpoint
ALTER TYPE "public"."ledger_account_kind" ADD VALUE 'MERCHANT_RECEIVABLE';--> statement-breakpoint
ALTER TYPE "public"."ledger_account_kind" ADD VALUE 'DEPOSIT_FUNDS';--> statement-breakpoint
ALTER TYPE "public"."ledger_account_kind" ADD VALUE 'PLATFORM_GUARANTEE';--> statement-breakpoint
ALTER TYPE "public"."ledger_account_kind" ADD VALUE 'BUYER_COMPENSATIONS';--> statement-breakpoint
ALTER TYPE "public"."ledger_posting_kind" ADD VALUE 'DEPOSIT_TOP_UP';--> statement-breakpoint
ALTER TYPE "public"."ledger_posting_kind" ADD VALUE 'COMPENSATION';--> statement-breakpoint
ALTER TYPE "public"."ledger_posting_kind" ADD VALUE 'COMPENSATION_RECOVERY';--> statement-breakpoint
CREATE TABLE "after_sales_cases" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "after_sales_cases_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"order_id" bigint NOT NULL,
	"buyer_id" bigint NOT NULL,
	"shop_id" bigint NOT NULL,
	"reason" "after_sales_reason" NOT NULL,
	"kind" "after_sales_kind" NOT NULL,
	"status" "after_sales_status" NOT NULL,
	"outcome" "after_sales_outcome",
	"payment" "after_sales_payment" DEFAULT 'NONE' NOT NULL,
	"requested_fen" bigint NOT NULL,
	"offered_fen" bigint,
	"paid_fen" bigint DEFAULT 0 NOT NULL,
	"description" text NOT NULL,
	"images" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"merchant_note" text,
	"decision_note" text,
	"opened_at" timestamp with time zone NOT NULL,
	"answer_due_at" timestamp with time zone NOT NULL,
	"closes_by" timestamp with time zone NOT NULL,
	"answered_at" timestamp with time zone,
	"escalated_at" timestamp with time zone,
	"closed_at" timestamp with time zone,
	CONSTRAINT "after_sales_cases_money" CHECK ("after_sales_cases"."requested_fen" > 0 and ("after_sales_cases"."offered_fen" is null or "after_sales_cases"."offered_fen" > 0) and "after_sales_cases"."paid_fen" >= 0),
	CONSTRAINT "after_sales_cases_closed" CHECK (("after_sales_cases"."status" = 'CLOSED') = ("after_sales_cases"."outcome" is not null and "after_sales_cases"."closed_at" is not null)),
	CONSTRAINT "after_sales_cases_description_length" CHECK (char_length("after_sales_cases"."description") <= 8000),
	CONSTRAINT "after_sales_cases_merchant_note_length" CHECK (char_length("after_sales_cases"."merchant_note") <= 4000),
	CONSTRAINT "after_sales_cases_decision_note_length" CHECK (char_length("after_sales_cases"."decision_note") <= 4000),
	CONSTRAINT "after_sales_cases_images_count" CHECK (jsonb_array_length("after_sales_cases"."images") <= 9)
);
--> statement-breakpoint
CREATE TABLE "after_sales_events" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "after_sales_events_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"case_id" bigint NOT NULL,
	"kind" "after_sales_event_kind" NOT NULL,
	"from_status" "after_sales_status",
	"to_status" "after_sales_status" NOT NULL,
	"actor_id" bigint,
	"actor_role" "user_role",
	"amount_fen" bigint,
	"note" text,
	"at" timestamp with time zone NOT NULL,
	CONSTRAINT "after_sales_events_amount" CHECK ("after_sales_events"."amount_fen" is null or "after_sales_events"."amount_fen" >= 0),
	CONSTRAINT "after_sales_events_note_length" CHECK (char_length("after_sales_events"."note") <= 8000)
);
--> statement-breakpoint
CREATE TABLE "credit_entries" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "credit_entries_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"shop_id" bigint NOT NULL,
	"cause" "credit_cause" NOT NULL,
	"points" integer NOT NULL,
	"score_after" integer NOT NULL,
	"case_id" bigint,
	"reason" text,
	"actor_id" bigint,
	"at" timestamp with time zone NOT NULL,
	CONSTRAINT "credit_entries_sign" CHECK (("credit_entries"."cause" = 'OPENING') or ("credit_entries"."cause" = 'RESTORATION' and "credit_entries"."points" > 0) or ("credit_entries"."cause" not in ('OPENING', 'RESTORATION') and "credit_entries"."points" < 0)),
	CONSTRAINT "credit_entries_reason_length" CHECK (char_length("credit_entries"."reason") <= 2000)
);
--> statement-breakpoint
CREATE TABLE "credit_holds" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "credit_holds_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"shop_id" bigint NOT NULL,
	"cart_taken" boolean NOT NULL,
	"payouts_frozen" boolean NOT NULL,
	"since" timestamp with time zone NOT NULL,
	"lifted_at" timestamp with time zone,
	"lifted_by" bigint
);
--> statement-breakpoint
ALTER TABLE "after_sales_cases" ADD CONSTRAINT "after_sales_cases_order_id_orders_id_fk" FOREIGN KEY ("order_id") REFERENCES "public"."orders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "after_sales_cases" ADD CONSTRAINT "after_sales_cases_buyer_id_users_id_fk" FOREIGN KEY ("buyer_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "after_sales_cases" ADD CONSTRAINT "after_sales_cases_shop_id_shops_id_fk" FOREIGN KEY ("shop_id") REFERENCES "public"."shops"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "after_sales_events" ADD CONSTRAINT "after_sales_events_case_id_after_sales_cases_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."after_sales_cases"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "after_sales_events" ADD CONSTRAINT "after_sales_events_actor_id_users_id_fk" FOREIGN KEY ("actor_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "credit_entries" ADD CONSTRAINT "credit_entries_shop_id_shops_id_fk" FOREIGN KEY ("shop_id") REFERENCES "public"."shops"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "credit_entries" ADD CONSTRAINT "credit_entries_case_id_after_sales_cases_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."after_sales_cases"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "credit_entries" ADD CONSTRAINT "credit_entries_actor_id_users_id_fk" FOREIGN KEY ("actor_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "credit_holds" ADD CONSTRAINT "credit_holds_shop_id_shops_id_fk" FOREIGN KEY ("shop_id") REFERENCES "public"."shops"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "credit_holds" ADD CONSTRAINT "credit_holds_lifted_by_users_id_fk" FOREIGN KEY ("lifted_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "after_sales_cases_open_order_idx" ON "after_sales_cases" USING btree ("order_id") WHERE "after_sales_cases"."status" <> 'CLOSED';--> statement-breakpoint
CREATE INDEX "after_sales_cases_buyer_idx" ON "after_sales_cases" USING btree ("buyer_id","id");--> statement-breakpoint
CREATE INDEX "after_sales_cases_shop_idx" ON "after_sales_cases" USING btree ("shop_id","id");--> statement-breakpoint
CREATE INDEX "after_sales_cases_due_idx" ON "after_sales_cases" USING btree ("answer_due_at") WHERE "after_sales_cases"."status" = 'AWAITING_MERCHANT';--> statement-breakpoint
CREATE INDEX "after_sales_cases_open_idx" ON "after_sales_cases" USING btree ("closes_by") WHERE "after_sales_cases"."status" <> 'CLOSED';--> statement-breakpoint
CREATE INDEX "after_sales_events_case_idx" ON "after_sales_events" USING btree ("case_id","id");--> statement-breakpoint
CREATE INDEX "credit_entries_shop_idx" ON "credit_entries" USING btree ("shop_id","id");--> statement-breakpoint
CREATE UNIQUE INDEX "credit_entries_case_cause_idx" ON "credit_entries" USING btree ("case_id","cause") WHERE "credit_entries"."case_id" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "credit_holds_open_idx" ON "credit_holds" USING btree ("shop_id") WHERE "credit_holds"."lifted_at" is null;--> statement-breakpoint
CREATE TRIGGER after_sales_events_append_only BEFORE UPDATE OR DELETE ON after_sales_events FOR EACH STATEMENT EXECUTE FUNCTION refuse_history_change();--> statement-breakpoint
CREATE TRIGGER credit_entries_append_only BEFORE UPDATE OR DELETE ON credit_entries FOR EACH STATEMENT EXECUTE FUNCTION refuse_history_change();
