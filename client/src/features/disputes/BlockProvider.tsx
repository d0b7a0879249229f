import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Ban } from 'lucide-react';
import { Link } from 'react-router';
import { FormError } from '../../components/Field';
import { problemText } from '../../lib/api-error';
import { useTRPC } from '../../lib/trpc';

/** The dispute the block is made from: its id (Disputes page) or its step (the chat card). */
export type BlockTarget = { disputeId: string } | { taskId: string; stepId: string };

/**
 * One click: the disputed step's provider is never quoted or paid for this person again (the planner
 * takes an equivalent service where there is one). Unblocking is on the Services page, with a proof.
 */
export function BlockProvider(props: { target: BlockTarget; providerId: string; providerName: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const blocked = useQuery(trpc.reputation.blocked.queryOptions());
  const block = useMutation(
    trpc.reputation.blockFromDispute.mutationOptions({
      onSuccess: () => Promise.all([queryClient.invalidateQueries({ queryKey: trpc.reputation.blocked.queryKey() }), queryClient.invalidateQueries({ queryKey: trpc.security.auditLog.pathKey() })]),
    }),
  );
  if (blocked.data?.some((b) => b.providerId === props.providerId)) {
    return (
      <span className="muted" data-testid="provider-blocked">
        {props.providerName} is blocked for you. <Link to="/services">Unblock on Services</Link>
      </span>
    );
  }
  return (
    <span className="button-row">
      <button className="button subtle" type="button" disabled={block.isPending || blocked.isPending} onClick={() => block.mutate(props.target)} data-testid="block-provider">
        <Ban size={16} aria-hidden="true" /> Block {props.providerName}
      </button>
      <FormError message={problemText(block.error)} />
    </span>
  );
}
