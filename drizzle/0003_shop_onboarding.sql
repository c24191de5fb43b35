ALTER TYPE "public"."shop_status" ADD VALUE 'UNDER_REVIEW';--> statement-breakpoint
ALTER TYPE "public"."shop_status" ADD VALUE 'REJECTED';--> statement-breakpoint
ALTER TABLE "shops" ADD COLUMN "reviewer_id" bigint;--> statement-breakpoint
ALTER TABLE "shops" ADD COLUMN "reviewed_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "shops" ADD COLUMN "review_note" text;--> statement-breakpoint
ALTER TABLE "quality_violations" ADD COLUMN "evidence" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "quality_violations" ADD COLUMN "recorded_by" bigint;--> statement-breakpoint
ALTER TABLE "quality_violations" ADD COLUMN "recorded_at" timestamp with time zone DEFAULT now() NOT NULL;--> statement-breakpoint
ALTER TABLE "shop_ratings" ADD COLUMN "rated_by" bigint;--> statement-breakpoint
ALTER TABLE "shops" ADD CONSTRAINT "shops_reviewer_id_users_id_fk" FOREIGN KEY ("reviewer_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "quality_violations" ADD CONSTRAINT "quality_violations_recorded_by_users_id_fk" FOREIGN KEY ("recorded_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "shop_ratings" ADD CONSTRAINT "shop_ratings_rated_by_users_id_fk" FOREIGN KEY ("rated_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "shops_status_idx" ON "shops" USING btree ("status","id");