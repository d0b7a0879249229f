/**
 * The Activity page's read model: each receipt with who spent it (an agent key or the person), the
 * task step behind it, and its dispute and refund. Read-only; filtering happens in SQL (receipts).
 */
import type { ListActivityInput } from '../../../shared/activity';
import type { AgentKeys } from '../agent-keys';
import type { DisputeBrief } from '../disputes/views';
import type { Receipt, Receipts } from '../payments';
import type { ProviderNames } from '../reputation';
import { activityCsv } from './activity-csv';

export type ActivityRow = Receipt & {
  /** The provider (`providerId`) by name (reputation/provider-names.ts). */
  providerName: string;
  taskId: string | null;
  stepId: string | null;
  agentName: string | null;
  dispute: DisputeBrief | null;
};

export type Activity = ReturnType<typeof createActivity>;

export function createActivity(deps: {
  receipts: Pick<Receipts, 'search' | 'services'>;
  agentKeys: Pick<AgentKeys, 'namesForPayments'>;
  disputes: { forPayments(userId: string, paymentIds: readonly string[]): Map<string, DisputeBrief> };
  providerNames: Pick<ProviderNames, 'for'>;
  now: () => number;
}) {
  function list(userId: string, input: ListActivityInput, timeZone: string): ActivityRow[] {
    const receipts = deps.receipts.search(userId, input, timeZone);
    const ids = receipts.map((r) => r.id);
    const agents = deps.agentKeys.namesForPayments(userId, ids);
    const disputes = deps.disputes.forPayments(userId, ids);
    const nameOf = deps.providerNames.for(userId);
    return receipts.map((receipt) => ({
      ...receipt,
      providerName: nameOf(receipt.providerId),
      agentName: agents.get(receipt.id) ?? null,
      dispute: disputes.get(receipt.id) ?? null,
    }));
  }

  return {
    list,
    exportCsv(userId: string, input: ListActivityInput, timeZone: string): { filename: string; csv: string } {
      const stamp = new Date(deps.now()).toISOString().slice(0, 10);
      return { filename: `steward-activity-${stamp}.csv`, csv: activityCsv(list(userId, input, timeZone)) };
    },
    services: (userId: string) => deps.receipts.services(userId),
  };
}
