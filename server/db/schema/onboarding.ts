// What a person said about their first-run checklist (server/domain/home): a skipped step, or the
// budget defaults kept. Every other state of the checklist is derived from facts stored elsewhere.
import { integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { users } from './accounts';

export const onboardingMarks = sqliteTable(
  'onboarding_marks',
  {
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    // shared/onboarding ONBOARDING_STEPS
    step: text('step').notNull(),
    state: text('state', { enum: ['done', 'skipped'] }).notNull(),
    updatedAtMs: integer('updated_at_ms').notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.step] })],
);
