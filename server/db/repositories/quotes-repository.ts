// SQL for quotes (server/db/schema/quotes.ts). Written once, never updated; every read takes the owner.
import { and, eq } from 'drizzle-orm';
import type { Db } from '../client';
import { quotes, type NewQuoteRow, type QuoteRow } from '../schema/quotes';

export type QuotesRepository = ReturnType<typeof createQuotesRepository>;

export function createQuotesRepository(db: Db) {
  return {
    insert(row: NewQuoteRow): void {
      db.insert(quotes).values(row).run();
    },
    byId(userId: string, quoteId: string): QuoteRow | undefined {
      return db.select().from(quotes).where(and(eq(quotes.userId, userId), eq(quotes.id, quoteId))).get();
    },
  };
}
