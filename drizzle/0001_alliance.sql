CREATE TYPE "public"."commission_plan_kind" AS ENUM('GENERAL', 'SHOP_TARGETED', 'PRODUCT_TARGETED');--> statement-breakpoint
CREATE TYPE "public"."distribution_application_status" AS ENUM('FAILED', 'PENDING_REVIEW', 'AWAITING_INSPECTION', 'APPROVED', 'REJECTED');--> statement-breakpoint
CREATE TYPE "public"."payout_channel" AS ENUM('ALIPAY', 'WECHAT_PAY');--> statement-breakpoint
CREATE TYPE "public"."sample_request_status" AS ENUM('PENDING', 'ACCEPTED', 'DECLINED');--> statement-breakpoint
CREATE TABLE "commission_plan_promoters" (
	"plan_id" bigint NOT NULL,
	"promoter_id" bigint NOT NULL,
	CONSTRAINT "commission_plan_promoters_plan_id_promoter_id_pk" PRIMARY KEY("plan_id","promoter_id")
);
--> statement-breakpoint
CREATE TABLE "commission_plans" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "commission_plans_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"shop_id" bigint NOT NULL,
	"product_id" bigint,
	"kind" "commission_plan_kind" NOT NULL,
	"rate_bps" integer NOT NULL,
	"pending_rate_bps" integer,
	"pending_effective_at" timestamp with time zone,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "commission_plans_rate_range" CHECK ("commission_plans"."rate_bps" between 100 and 9000),
	CONSTRAINT "commission_plans_pending_range" CHECK ("commission_plans"."pending_rate_bps" is null or "commission_plans"."pending_rate_bps" between 100 and 9000),
	CONSTRAINT "commission_plans_pending_pair" CHECK (("commission_plans"."pending_rate_bps" is null) = ("commission_plans"."pending_effective_at" is null)),
	CONSTRAINT "commission_plans_product_by_kind" CHECK (("commission_plans"."kind" = 'SHOP_TARGETED') = ("commission_plans"."product_id" is null))
);
--> statement-breakpoint
CREATE TABLE "distribution_applications" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "distribution_applications_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"shop_id" bigint NOT NULL,
	"applicant_id" bigint NOT NULL,
	"status" "distribution_application_status" NOT NULL,
	"checks" jsonb NOT NULL,
	"submitted_at" timestamp with time zone NOT NULL,
	"retry_after" timestamp with time zone,
	"factory_inspection_required" boolean DEFAULT false NOT NULL,
	"reviewer_id" bigint,
	"reviewed_at" timestamp with time zone,
	"review_note" text,
	"inspection_passed" boolean,
	"inspection_report" text,
	"inspected_at" timestamp with time zone,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "distribution_applications_retry_when_failed" CHECK (("distribution_applications"."status" = 'FAILED') = ("distribution_applications"."retry_after" IS NOT NULL))
);
--> statement-breakpoint
CREATE TABLE "promoter_profiles" (
	"user_id" bigint PRIMARY KEY NOT NULL,
	"promotion_pid" text,
	"pid_bound_at" timestamp with time zone,
	"payout_channel" "payout_channel",
	"payout_account_name" text,
	"payout_account_tail" text,
	"payout_signed_at" timestamp with time zone,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "quality_violations" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "quality_violations_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"shop_id" bigint NOT NULL,
	"product_id" bigint,
	"serious" boolean NOT NULL,
	"reason" text NOT NULL,
	"occurred_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sample_requests" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "sample_requests_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"promoter_id" bigint NOT NULL,
	"product_id" bigint NOT NULL,
	"shop_id" bigint NOT NULL,
	"status" "sample_request_status" DEFAULT 'PENDING' NOT NULL,
	"note" text DEFAULT '' NOT NULL,
	"tracking_no" text,
	"requested_at" timestamp with time zone NOT NULL,
	"decided_at" timestamp with time zone,
	CONSTRAINT "sample_requests_tracking_when_accepted" CHECK (("sample_requests"."status" = 'ACCEPTED') = ("sample_requests"."tracking_no" IS NOT NULL))
);
--> statement-breakpoint
CREATE TABLE "shelf_items" (
	"promoter_id" bigint NOT NULL,
	"product_id" bigint NOT NULL,
	"position" integer NOT NULL,
	"added_at" timestamp with time zone NOT NULL,
	CONSTRAINT "shelf_items_promoter_id_product_id_pk" PRIMARY KEY("promoter_id","product_id")
);
--> statement-breakpoint
CREATE TABLE "shop_ratings" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "shop_ratings_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"shop_id" bigint NOT NULL,
	"order_id" bigint,
	"description_score" smallint NOT NULL,
	"service_score" smallint NOT NULL,
	"logistics_score" smallint NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "shop_ratings_scores_range" CHECK ("shop_ratings"."description_score" between 1 and 5 and "shop_ratings"."service_score" between 1 and 5 and "shop_ratings"."logistics_score" between 1 and 5)
);
--> statement-breakpoint
CREATE TABLE "shop_settlement_settings" (
	"shop_id" bigint PRIMARY KEY NOT NULL,
	"short_settlement_enabled" boolean DEFAULT false NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "commission_plan_promoters" ADD CONSTRAINT "commission_plan_promoters_plan_id_commission_plans_id_fk" FOREIGN KEY ("plan_id") REFERENCES "public"."commission_plans"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "commission_plan_promoters" ADD CONSTRAINT "commission_plan_promoters_promoter_id_users_id_fk" FOREIGN KEY ("promoter_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "commission_plans" ADD CONSTRAINT "commission_plans_shop_id_shops_id_fk" FOREIGN KEY ("shop_id") REFERENCES "public"."shops"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "commission_plans" ADD CONSTRAINT "commission_plans_product_id_products_id_fk" FOREIGN KEY ("product_id") REFERENCES "public"."products"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "distribution_applications" ADD CONSTRAINT "distribution_applications_shop_id_shops_id_fk" FOREIGN KEY ("shop_id") REFERENCES "public"."shops"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "distribution_applications" ADD CONSTRAINT "distribution_applications_applicant_id_users_id_fk" FOREIGN KEY ("applicant_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "distribution_applications" ADD CONSTRAINT "distribution_applications_reviewer_id_users_id_fk" FOREIGN KEY ("reviewer_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "promoter_profiles" ADD CONSTRAINT "promoter_profiles_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "quality_violations" ADD CONSTRAINT "quality_violations_shop_id_shops_id_fk" FOREIGN KEY ("shop_id") REFERENCES "public"."shops"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "quality_violations" ADD CONSTRAINT "quality_violations_product_id_products_id_fk" FOREIGN KEY ("product_id") REFERENCES "public"."products"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sample_requests" ADD CONSTRAINT "sample_requests_promoter_id_users_id_fk" FOREIGN KEY ("promoter_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sample_requests" ADD CONSTRAINT "sample_requests_product_id_products_id_fk" FOREIGN KEY ("product_id") REFERENCES "public"."products"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sample_requests" ADD CONSTRAINT "sample_requests_shop_id_shops_id_fk" FOREIGN KEY ("shop_id") REFERENCES "public"."shops"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "shelf_items" ADD CONSTRAINT "shelf_items_promoter_id_users_id_fk" FOREIGN KEY ("promoter_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "shelf_items" ADD CONSTRAINT "shelf_items_product_id_products_id_fk" FOREIGN KEY ("product_id") REFERENCES "public"."products"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "shop_ratings" ADD CONSTRAINT "shop_ratings_shop_id_shops_id_fk" FOREIGN KEY ("shop_id") REFERENCES "public"."shops"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "shop_ratings" ADD CONSTRAINT "shop_ratings_order_id_orders_id_fk" FOREIGN KEY ("order_id") REFERENCES "public"."orders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "shop_settlement_settings" ADD CONSTRAINT "shop_settlement_settings_shop_id_shops_id_fk" FOREIGN KEY ("shop_id") REFERENCES "public"."shops"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "commission_plan_promoters_promoter_idx" ON "commission_plan_promoters" USING btree ("promoter_id","plan_id");--> statement-breakpoint
CREATE UNIQUE INDEX "commission_plans_general_idx" ON "commission_plans" USING btree ("product_id") WHERE "commission_plans"."kind" = 'GENERAL';--> statement-breakpoint
CREATE INDEX "commission_plans_product_idx" ON "commission_plans" USING btree ("product_id","kind");--> statement-breakpoint
CREATE INDEX "commission_plans_shop_idx" ON "commission_plans" USING btree ("shop_id","kind");--> statement-breakpoint
CREATE INDEX "distribution_applications_shop_idx" ON "distribution_applications" USING btree ("shop_id","id");--> statement-breakpoint
CREATE INDEX "distribution_applications_status_idx" ON "distribution_applications" USING btree ("status","id");--> statement-breakpoint
CREATE UNIQUE INDEX "distribution_applications_one_active_idx" ON "distribution_applications" USING btree ("shop_id") WHERE "distribution_applications"."status" in ('PENDING_REVIEW', 'AWAITING_INSPECTION', 'APPROVED');--> statement-breakpoint
CREATE UNIQUE INDEX "promoter_profiles_pid_idx" ON "promoter_profiles" USING btree ("promotion_pid");--> statement-breakpoint
CREATE INDEX "quality_violations_shop_idx" ON "quality_violations" USING btree ("shop_id","occurred_at");--> statement-breakpoint
CREATE UNIQUE INDEX "sample_requests_one_pending_idx" ON "sample_requests" USING btree ("promoter_id","product_id") WHERE "sample_requests"."status" = 'PENDING';--> statement-breakpoint
CREATE INDEX "sample_requests_shop_idx" ON "sample_requests" USING btree ("shop_id","id");--> statement-breakpoint
CREATE INDEX "sample_requests_promoter_idx" ON "sample_requests" USING btree ("promoter_id","id");--> statement-breakpoint
CREATE INDEX "shelf_items_position_idx" ON "shelf_items" USING btree ("promoter_id","position");--> statement-breakpoint
CREATE INDEX "shop_ratings_shop_created_idx" ON "shop_ratings" USING btree ("shop_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "shop_ratings_order_idx" ON "shop_ratings" USING btree ("order_id");