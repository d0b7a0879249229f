import { classifyKind } from 'nostr-tools/kinds';
import { matchFilter, type Filter } from 'nostr-tools/filter';
import type { Event } from 'nostr-tools/pure';

export interface EventStoreOptions {
  /** Regular events kept; past this the earliest-received are dropped (replaceable ones are never dropped). */
  maxRegularEvents: number;
}

export type AddOutcome =
  | { status: 'stored' }
  | { status: 'duplicate' }
  /** A replaceable event older than the one already kept: accepted, not stored (NIP-01 keeps the latest). */
  | { status: 'superseded' }
  /** Ephemeral (kinds 20000-29999): to be fanned out live, never stored. */
  | { status: 'ephemeral' };

/**
 * In-memory event storage with NIP-01 semantics: regular events kept (bounded), replaceable and
 * addressable events latest-only per (pubkey, kind[, d]), ephemeral events not stored. Signature checks are the caller's job: everything added here is trusted.
 */
export class EventStore {
  private readonly regular = new Map<string, Event>(); // insertion order = arrival order, for pruning
  private readonly replaceable = new Map<string, Event>(); // key: pubkey:kind[:d]
  private readonly replaceableIds = new Set<string>();

  constructor(private readonly options: EventStoreOptions) {}

  add(event: Event): AddOutcome {
    if (this.has(event.id)) return { status: 'duplicate' };
    switch (classifyKind(event.kind)) {
      case 'ephemeral':
        return { status: 'ephemeral' };
      case 'replaceable':
      case 'parameterized':
        return this.addReplaceable(event);
      default:
        this.regular.set(event.id, event);
        this.pruneRegular();
        return { status: 'stored' };
    }
  }

  /** Events matching any filter, newest first; each filter's `limit` caps what that filter contributes. */
  query(filters: Filter[]): Event[] {
    const all = [...this.allEvents()].sort(newestFirst);
    const found = new Map<string, Event>();
    for (const filter of filters) {
      let taken = 0;
      const limit = filter.limit ?? Number.POSITIVE_INFINITY;
      for (const event of all) {
        if (taken >= limit) break;
        if (!matchFilter(filter, event)) continue;
        found.set(event.id, event);
        taken += 1;
      }
    }
    return [...found.values()].sort(newestFirst);
  }

  get size(): number {
    return this.regular.size + this.replaceable.size;
  }

  private has(id: string): boolean {
    return this.regular.has(id) || this.replaceableIds.has(id);
  }

  private addReplaceable(event: Event): AddOutcome {
    const key = replaceableKey(event);
    const current = this.replaceable.get(key);
    if (current && !isNewer(event, current)) return { status: 'superseded' };
    if (current) this.replaceableIds.delete(current.id);
    this.replaceable.set(key, event);
    this.replaceableIds.add(event.id);
    return { status: 'stored' };
  }

  private pruneRegular(): void {
    while (this.regular.size > this.options.maxRegularEvents) {
      const oldest = this.regular.keys().next();
      if (oldest.done) return;
      this.regular.delete(oldest.value);
    }
  }

  private *allEvents(): Iterable<Event> {
    yield* this.regular.values();
    yield* this.replaceable.values();
  }
}

function replaceableKey(event: Event): string {
  if (classifyKind(event.kind) !== 'parameterized') return `${event.pubkey}:${event.kind}`;
  const d = event.tags.find((tag) => tag[0] === 'd')?.[1] ?? '';
  return `${event.pubkey}:${event.kind}:${d}`;
}

/** NIP-01: the later created_at wins; on a tie the lowest id is kept. */
function isNewer(candidate: Event, current: Event): boolean {
  if (candidate.created_at !== current.created_at) return candidate.created_at > current.created_at;
  return candidate.id < current.id;
}

function newestFirst(a: Event, b: Event): number {
  return b.created_at - a.created_at || (a.id < b.id ? -1 : 1);
}
