-- Column limits of the free-text fields (src/shared/text.ts: max characters × 4 code points). NOT VALID: enforced
-- for every row written from now on, without refusing to migrate a database that stored longer text before.
ALTER TABLE "products" ADD CONSTRAINT "products_title_length" CHECK (char_length("products"."title") <= 480) NOT VALID;--> statement-breakpoint
ALTER TABLE "products" ADD CONSTRAINT "products_description_length" CHECK (char_length("products"."description") <= 20000) NOT VALID;--> statement-breakpoint
ALTER TABLE "products" ADD CONSTRAINT "products_category_length" CHECK (char_length("products"."category") <= 400) NOT VALID;--> statement-breakpoint
ALTER TABLE "products" ADD CONSTRAINT "products_bonded_warehouse_length" CHECK (char_length("products"."bonded_warehouse") <= 800) NOT VALID;--> statement-breakpoint
ALTER TABLE "shops" ADD CONSTRAINT "shops_name_length" CHECK (char_length("shops"."name") <= 240) NOT VALID;--> statement-breakpoint
ALTER TABLE "shops" ADD CONSTRAINT "shops_bonded_warehouse_length" CHECK (char_length("shops"."bonded_warehouse") <= 800) NOT VALID;--> statement-breakpoint
ALTER TABLE "shops" ADD CONSTRAINT "shops_review_note_length" CHECK (char_length("shops"."review_note") <= 8000) NOT VALID;--> statement-breakpoint
ALTER TABLE "orders" ADD CONSTRAINT "orders_idempotency_key_length" CHECK (char_length("orders"."idempotency_key") <= 64) NOT VALID;--> statement-breakpoint
ALTER TABLE "live_sessions" ADD CONSTRAINT "live_sessions_title_length" CHECK (char_length("live_sessions"."title") <= 400) NOT VALID;--> statement-breakpoint
ALTER TABLE "coupons" ADD CONSTRAINT "coupons_code_length" CHECK (char_length("coupons"."code") <= 32) NOT VALID;--> statement-breakpoint
ALTER TABLE "distribution_applications" ADD CONSTRAINT "distribution_applications_review_note_length" CHECK (char_length("distribution_applications"."review_note") <= 8000) NOT VALID;--> statement-breakpoint
ALTER TABLE "distribution_applications" ADD CONSTRAINT "distribution_applications_inspection_report_length" CHECK (char_length("distribution_applications"."inspection_report") <= 20000) NOT VALID;--> statement-breakpoint
ALTER TABLE "promoter_profiles" ADD CONSTRAINT "promoter_profiles_pid_length" CHECK (char_length("promoter_profiles"."promotion_pid") <= 64) NOT VALID;--> statement-breakpoint
ALTER TABLE "promoter_profiles" ADD CONSTRAINT "promoter_profiles_account_name_length" CHECK (char_length("promoter_profiles"."payout_account_name") <= 256) NOT VALID;--> statement-breakpoint
ALTER TABLE "quality_violations" ADD CONSTRAINT "quality_violations_reason_length" CHECK (char_length("quality_violations"."reason") <= 8000) NOT VALID;--> statement-breakpoint
ALTER TABLE "sample_requests" ADD CONSTRAINT "sample_requests_note_length" CHECK (char_length("sample_requests"."note") <= 2000) NOT VALID;--> statement-breakpoint
ALTER TABLE "sample_requests" ADD CONSTRAINT "sample_requests_tracking_no_length" CHECK (char_length("sample_requests"."tracking_no") <= 256) NOT VALID;--> statement-breakpoint
ALTER TABLE "agreed_prices" ADD CONSTRAINT "agreed_prices_gifts_length" CHECK (char_length(array_to_string("agreed_prices"."gifts", '')) <= 8000) NOT VALID;--> statement-breakpoint
ALTER TABLE "price_guard_restrictions" ADD CONSTRAINT "price_guard_restrictions_lift_reason_length" CHECK (char_length("price_guard_restrictions"."lift_reason") <= 2000) NOT VALID;
