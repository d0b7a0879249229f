import { useQueryClient } from '@tanstack/react-query';
import { Download } from 'lucide-react';
import { useState } from 'react';
import { problemText } from '../../lib/api-error';
import { saveTextFile } from '../../lib/download';
import { useTRPC } from '../../lib/trpc';

/** Downloads every movement as CSV; the server builds it, so escaping is done (and tested) in one place. */
export function MovementsExport() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function download() {
    setBusy(true);
    setError(null);
    try {
      const { filename, csv } = await queryClient.fetchQuery({ ...trpc.wallet.exportMovements.queryOptions(), staleTime: 0 });
      saveTextFile(filename, csv, 'text/csv;charset=utf-8');
    } catch (failure) {
      setError(problemText(failure));
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      <button type="button" className="button subtle" onClick={() => void download()} disabled={busy} data-testid="export-movements">
        <Download size={16} aria-hidden /> <span>Export CSV</span>
      </button>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
    </>
  );
}
