CREATE TYPE "public"."user_role" AS ENUM('BUYER', 'MERCHANT', 'PROMOTER', 'ADMIN', 'ANALYST');--> statement-breakpoint
CREATE TYPE "public"."industry_belt" AS ENUM('JADE_RUILI', 'JADE_SIHUI', 'JADE_JIEYANG', 'JADE_KETANG', 'JADE_ZHENPING', 'JADE_XIUYAN', 'JADE_SHIYAN', 'CLOTHING_HANGZHOU', 'CLOTHING_ZHENGZHOU', 'CLOTHING_TONGERBAO', 'CLOTHING_CHANGSHU', 'CLOTHING_CANGZHOU', 'OTHER');--> statement-breakpoint
CREATE TYPE "public"."shop_kind" AS ENUM('REGULAR', 'CROSS_BORDER');--> statement-breakpoint
CREATE TYPE "public"."shop_status" AS ENUM('NORMAL', 'CART_DISABLED', 'CLOSED');--> statement-breakpoint
CREATE TYPE "public"."order_status" AS ENUM('ACCEPTED', 'SHIPPED', 'RECEIVED', 'SETTLED', 'CANCELLED', 'REFUNDED');--> statement-breakpoint
CREATE TYPE "public"."flash_sale_status" AS ENUM('SCHEDULED', 'RUNNING', 'SOLD_OUT', 'ENDED');--> statement-breakpoint
CREATE TYPE "public"."live_session_status" AS ENUM('LIVE', 'ENDED');--> statement-breakpoint
CREATE TYPE "public"."coupon_issuer" AS ENUM('SHOP', 'PROMOTER');--> statement-breakpoint
CREATE TYPE "public"."commission_plan_kind" AS ENUM('GENERAL', 'SHOP_TARGETED', 'PRODUCT_TARGETED');--> statement-breakpoint
CREATE TYPE "public"."distribution_application_status" AS ENUM('FAILED', 'PENDING_REVIEW', 'AWAITING_INSPECTION', 'APPROVED', 'REJECTED');--> statement-breakpoint
CREATE TYPE "public"."payout_channel" AS ENUM('ALIPAY', 'WECHAT_PAY');--> statement-breakpoint
CREATE TYPE "public"."sample_request_status" AS ENUM('PENDING', 'ACCEPTED', 'DECLINED');--> statement-breakpoint
CREATE TYPE "public"."price_guard_party" AS ENUM('MERCHANT', 'PROMOTER');--> statement-breakpoint
CREATE TYPE "public"."price_guard_penalty" AS ENUM('RESTRICTED_15_DAYS', 'RESTRICTED_30_DAYS', 'SUSPENDED');--> statement-breakpoint
CREATE TYPE "public"."price_guard_violation_kind" AS ENUM('BELOW_FLOOR', 'SPEC_MISMATCH');--> statement-breakpoint
CREATE TABLE "users" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "users_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"name" text NOT NULL,
	"role" "user_role" NOT NULL,
	"banned" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "products" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "products_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"shop_id" bigint NOT NULL,
	"title" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"category" text NOT NULL,
	"origin_belt" "industry_belt" DEFAULT 'OTHER' NOT NULL,
	"price_fen" bigint NOT NULL,
	"stock" integer NOT NULL,
	"cross_border" boolean DEFAULT false NOT NULL,
	"bonded_warehouse" text,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "products_price_positive" CHECK ("products"."price_fen" > 0),
	CONSTRAINT "products_stock_nonnegative" CHECK ("products"."stock" >= 0),
	CONSTRAINT "products_bonded_when_cross_border" CHECK ((NOT "products"."cross_border") OR "products"."bonded_warehouse" IS NOT NULL)
);
--> statement-breakpoint
CREATE TABLE "shops" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "shops_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"owner_id" bigint NOT NULL,
	"name" text NOT NULL,
	"kind" "shop_kind" DEFAULT 'REGULAR' NOT NULL,
	"status" "shop_status" DEFAULT 'NORMAL' NOT NULL,
	"credit_score" integer DEFAULT 100 NOT NULL,
	"industry_belt" "industry_belt" DEFAULT 'OTHER' NOT NULL,
	"bonded_warehouse" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "orders" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "orders_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"buyer_id" bigint NOT NULL,
	"shop_id" bigint NOT NULL,
	"product_id" bigint NOT NULL,
	"promoter_id" bigint,
	"live_session_id" bigint,
	"flash_sale_id" bigint,
	"quantity" integer NOT NULL,
	"unit_price_fen" bigint NOT NULL,
	"shop_coupon_fen" bigint DEFAULT 0 NOT NULL,
	"promoter_coupon_fen" bigint DEFAULT 0 NOT NULL,
	"points_fen" bigint DEFAULT 0 NOT NULL,
	"subsidy_fen" bigint DEFAULT 0 NOT NULL,
	"total_fen" bigint NOT NULL,
	"hand_price_fen" bigint NOT NULL,
	"commission_rate_bps" integer DEFAULT 0 NOT NULL,
	"commission_plan" text,
	"status" "order_status" DEFAULT 'ACCEPTED' NOT NULL,
	"idempotency_key" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"received_at" timestamp with time zone,
	CONSTRAINT "orders_quantity_positive" CHECK ("orders"."quantity" > 0),
	CONSTRAINT "orders_total_nonnegative" CHECK ("orders"."total_fen" >= 0)
);
--> statement-breakpoint
CREATE TABLE "cart_items" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "cart_items_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"live_session_id" bigint NOT NULL,
	"product_id" bigint NOT NULL,
	"subsidy_fen" bigint DEFAULT 0 NOT NULL,
	"pinned_at" timestamp with time zone NOT NULL,
	"unpinned_at" timestamp with time zone,
	CONSTRAINT "cart_items_subsidy_nonnegative" CHECK ("cart_items"."subsidy_fen" >= 0)
);
--> statement-breakpoint
CREATE TABLE "flash_sale_purchases" (
	"flash_sale_id" bigint NOT NULL,
	"buyer_id" bigint NOT NULL,
	"quantity" integer NOT NULL,
	CONSTRAINT "flash_sale_purchases_flash_sale_id_buyer_id_pk" PRIMARY KEY("flash_sale_id","buyer_id"),
	CONSTRAINT "flash_sale_purchases_positive" CHECK ("flash_sale_purchases"."quantity" > 0)
);
--> statement-breakpoint
CREATE TABLE "flash_sales" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "flash_sales_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"live_session_id" bigint NOT NULL,
	"product_id" bigint NOT NULL,
	"shop_id" bigint NOT NULL,
	"flash_price_fen" bigint NOT NULL,
	"allocated_units" integer NOT NULL,
	"sold_units" integer DEFAULT 0 NOT NULL,
	"returned_units" integer DEFAULT 0 NOT NULL,
	"per_buyer_limit" integer NOT NULL,
	"starts_at" timestamp with time zone NOT NULL,
	"ends_at" timestamp with time zone NOT NULL,
	"status" "flash_sale_status" NOT NULL,
	"ended_at" timestamp with time zone,
	"end_reason" text,
	"version" integer DEFAULT 1 NOT NULL,
	CONSTRAINT "flash_sales_no_oversell" CHECK ("flash_sales"."sold_units" >= 0 AND "flash_sales"."sold_units" <= "flash_sales"."allocated_units"),
	CONSTRAINT "flash_sales_allocation_positive" CHECK ("flash_sales"."allocated_units" > 0),
	CONSTRAINT "flash_sales_limit_positive" CHECK ("flash_sales"."per_buyer_limit" > 0),
	CONSTRAINT "flash_sales_price_positive" CHECK ("flash_sales"."flash_price_fen" > 0),
	CONSTRAINT "flash_sales_window" CHECK ("flash_sales"."ends_at" > "flash_sales"."starts_at")
);
--> statement-breakpoint
CREATE TABLE "live_sessions" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "live_sessions_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"promoter_id" bigint NOT NULL,
	"title" text NOT NULL,
	"status" "live_session_status" DEFAULT 'LIVE' NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"ended_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "coupons" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "coupons_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"code" text NOT NULL,
	"issuer" "coupon_issuer" NOT NULL,
	"issuer_shop_id" bigint NOT NULL,
	"created_by" bigint NOT NULL,
	"product_id" bigint NOT NULL,
	"amount_fen" bigint NOT NULL,
	"min_spend_fen" bigint DEFAULT 0 NOT NULL,
	"valid_from" timestamp with time zone NOT NULL,
	"valid_until" timestamp with time zone NOT NULL,
	CONSTRAINT "coupons_code_unique" UNIQUE("code"),
	CONSTRAINT "coupons_amount_positive" CHECK ("coupons"."amount_fen" > 0)
);
--> statement-breakpoint
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
ALTER TABLE "products" ADD CONSTRAINT "products_shop_id_shops_id_fk" FOREIGN KEY ("shop_id") REFERENCES "public"."shops"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "shops" ADD CONSTRAINT "shops_owner_id_users_id_fk" FOREIGN KEY ("owner_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "orders" ADD CONSTRAINT "orders_buyer_id_users_id_fk" FOREIGN KEY ("buyer_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "orders" ADD CONSTRAINT "orders_shop_id_shops_id_fk" FOREIGN KEY ("shop_id") REFERENCES "public"."shops"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "orders" ADD CONSTRAINT "orders_product_id_products_id_fk" FOREIGN KEY ("product_id") REFERENCES "public"."products"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "orders" ADD CONSTRAINT "orders_promoter_id_users_id_fk" FOREIGN KEY ("promoter_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "cart_items" ADD CONSTRAINT "cart_items_live_session_id_live_sessions_id_fk" FOREIGN KEY ("live_session_id") REFERENCES "public"."live_sessions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "cart_items" ADD CONSTRAINT "cart_items_product_id_products_id_fk" FOREIGN KEY ("product_id") REFERENCES "public"."products"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "flash_sale_purchases" ADD CONSTRAINT "flash_sale_purchases_flash_sale_id_flash_sales_id_fk" FOREIGN KEY ("flash_sale_id") REFERENCES "public"."flash_sales"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "flash_sale_purchases" ADD CONSTRAINT "flash_sale_purchases_buyer_id_users_id_fk" FOREIGN KEY ("buyer_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "flash_sales" ADD CONSTRAINT "flash_sales_live_session_id_live_sessions_id_fk" FOREIGN KEY ("live_session_id") REFERENCES "public"."live_sessions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "flash_sales" ADD CONSTRAINT "flash_sales_product_id_products_id_fk" FOREIGN KEY ("product_id") REFERENCES "public"."products"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "flash_sales" ADD CONSTRAINT "flash_sales_shop_id_shops_id_fk" FOREIGN KEY ("shop_id") REFERENCES "public"."shops"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "live_sessions" ADD CONSTRAINT "live_sessions_promoter_id_users_id_fk" FOREIGN KEY ("promoter_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "coupons" ADD CONSTRAINT "coupons_issuer_shop_id_shops_id_fk" FOREIGN KEY ("issuer_shop_id") REFERENCES "public"."shops"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "coupons" ADD CONSTRAINT "coupons_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "coupons" ADD CONSTRAINT "coupons_product_id_products_id_fk" FOREIGN KEY ("product_id") REFERENCES "public"."products"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
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
CREATE INDEX "products_shop_idx" ON "products" USING btree ("shop_id","id");--> statement-breakpoint
CREATE INDEX "products_category_idx" ON "products" USING btree ("category","id");--> statement-breakpoint
CREATE INDEX "products_price_idx" ON "products" USING btree ("price_fen","id");--> statement-breakpoint
CREATE INDEX "products_created_idx" ON "products" USING btree ("created_at","id");--> statement-breakpoint
CREATE INDEX "shops_owner_idx" ON "shops" USING btree ("owner_id");--> statement-breakpoint
CREATE UNIQUE INDEX "orders_idempotency_idx" ON "orders" USING btree ("buyer_id","idempotency_key");--> statement-breakpoint
CREATE INDEX "orders_shop_created_idx" ON "orders" USING btree ("shop_id","created_at");--> statement-breakpoint
CREATE INDEX "orders_flash_sale_buyer_idx" ON "orders" USING btree ("flash_sale_id","buyer_id");--> statement-breakpoint
CREATE INDEX "orders_promoter_idx" ON "orders" USING btree ("promoter_id","created_at");--> statement-breakpoint
CREATE INDEX "orders_product_idx" ON "orders" USING btree ("product_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "cart_items_pinned_idx" ON "cart_items" USING btree ("live_session_id","product_id") WHERE "cart_items"."unpinned_at" is null;--> statement-breakpoint
CREATE INDEX "flash_sales_session_idx" ON "flash_sales" USING btree ("live_session_id","id");--> statement-breakpoint
CREATE INDEX "flash_sales_open_idx" ON "flash_sales" USING btree ("status","ends_at");--> statement-breakpoint
CREATE INDEX "live_sessions_promoter_idx" ON "live_sessions" USING btree ("promoter_id","id");--> statement-breakpoint
CREATE INDEX "live_sessions_status_idx" ON "live_sessions" USING btree ("status","id");--> statement-breakpoint
CREATE INDEX "coupons_product_idx" ON "coupons" USING btree ("product_id");--> statement-breakpoint
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
CREATE UNIQUE INDEX "shop_ratings_order_idx" ON "shop_ratings" USING btree ("order_id");--> statement-breakpoint
CREATE INDEX "agreed_prices_product_idx" ON "agreed_prices" USING btree ("product_id","filed_at","id");--> statement-breakpoint
CREATE INDEX "price_guard_restrictions_shop_idx" ON "price_guard_restrictions" USING btree ("shop_id","starts_at");--> statement-breakpoint
CREATE INDEX "price_guard_restrictions_promoter_idx" ON "price_guard_restrictions" USING btree ("promoter_id","starts_at");--> statement-breakpoint
CREATE INDEX "price_guard_violations_shop_idx" ON "price_guard_violations" USING btree ("shop_id","id");--> statement-breakpoint
CREATE INDEX "price_guard_violations_product_shop_idx" ON "price_guard_violations" USING btree ("product_shop_id","id");--> statement-breakpoint
CREATE INDEX "price_guard_violations_promoter_idx" ON "price_guard_violations" USING btree ("promoter_id","id");--> statement-breakpoint
CREATE INDEX "price_guard_violations_unalerted_idx" ON "price_guard_violations" USING btree ("id") WHERE "price_guard_violations"."alerted_at" IS NULL;