CREATE TABLE "commission_rate_floors" (
	"promoter_id" bigint NOT NULL,
	"product_id" bigint NOT NULL,
	"plan_id" bigint NOT NULL,
	"kind" "commission_plan_kind" NOT NULL,
	"rate_bps" integer NOT NULL,
	"until" timestamp with time zone NOT NULL,
	CONSTRAINT "commission_rate_floors_promoter_id_product_id_pk" PRIMARY KEY("promoter_id","product_id"),
	CONSTRAINT "commission_rate_floors_rate_range" CHECK ("commission_rate_floors"."rate_bps" between 100 and 9000)
);
--> statement-breakpoint
DROP INDEX "commission_plans_general_idx";--> statement-breakpoint
ALTER TABLE "commission_plans" ADD COLUMN "closes_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "commission_rate_floors" ADD CONSTRAINT "commission_rate_floors_promoter_id_users_id_fk" FOREIGN KEY ("promoter_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "commission_rate_floors" ADD CONSTRAINT "commission_rate_floors_product_id_products_id_fk" FOREIGN KEY ("product_id") REFERENCES "public"."products"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "commission_rate_floors" ADD CONSTRAINT "commission_rate_floors_plan_id_commission_plans_id_fk" FOREIGN KEY ("plan_id") REFERENCES "public"."commission_plans"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "commission_plans_open_general_idx" ON "commission_plans" USING btree ("product_id") WHERE "commission_plans"."kind" = 'GENERAL' and "commission_plans"."closes_at" is null;