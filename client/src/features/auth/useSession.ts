import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useTRPC } from '../../lib/trpc';

/** The signed-in user (or null), shared by the gate, the shell and the pages. */
export function useSession() {
  const trpc = useTRPC();
  const query = useQuery({ ...trpc.auth.session.queryOptions(), staleTime: 60_000 });
  return { user: query.data?.user ?? null, loading: query.isPending };
}

/** After sign-in: forget every cached answer (they may belong to someone else) and ask again. */
export function useResetSession() {
  const queryClient = useQueryClient();
  return () => queryClient.resetQueries();
}

/**
 * After signing out: load the sign-in page afresh. A full page load drops every cached answer about the
 * person from memory and starts the next person (or the same one) from a clean state.
 */
export function signedOut(): void {
  window.location.replace('/signin');
}

/**
 * For live streams: the server closes them with UNAUTHORIZED when the session ends (signed out on
 * another device, revoked, expired), and the page then starts again at sign-in.
 */
export function onStreamError(error: { data?: { code?: string } | null }): void {
  if (error.data?.code === 'UNAUTHORIZED') signedOut();
}
