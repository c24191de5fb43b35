import { bigint, boolean, index, pgEnum, pgTable, primaryKey, text, timestamp } from "drizzle-orm/pg-core";

export const userRole = pgEnum("user_role", ["BUYER", "MERCHANT", "PROMOTER", "ADMIN", "ANALYST"]);

export const users = pgTable("users", {
  id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
  name: text("name").notNull(),
  role: userRole("role").notNull(),
  banned: boolean("banned").notNull().default(false),
  createdAt: timestamp("created_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
});

export type UserRow = typeof users.$inferSelect;

/**
 * Links an identity provider's subject to a liveshelf user (made on first sight of a valid token, or by
 * `npm run admin`). The gateway's own HS256 tokens need no link: their subject is the user id.
 */
export const userIdentities = pgTable(
  "user_identities",
  {
    issuer: text("issuer").notNull(),
    subject: text("subject").notNull(),
    userId: bigint("user_id", { mode: "number" })
      .notNull()
      .references(() => users.id),
    createdAt: timestamp("created_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.issuer, t.subject] }), index("user_identities_user_idx").on(t.userId)],
);

export type UserIdentityRow = typeof userIdentities.$inferSelect;
