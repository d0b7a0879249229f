import { useQueryClient } from '@tanstack/react-query';
import { Download } from 'lucide-react';
import { useState } from 'react';
import { problemText } from '../../lib/api-error';
import { saveTextFile } from '../../lib/download';
import { useTRPC } from '../../lib/trpc';

/** Export all my data: every table that holds the person's data, secrets redacted, as JSON or CSV. */
export function DataExportSection() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [busy, setBusy] = useState<'json' | 'csv' | null>(null);
  const [error, setError] = useState<string | null>(null);

  async function download(format: 'json' | 'csv') {
    setBusy(format);
    setError(null);
    try {
      const file = await queryClient.fetchQuery({ ...trpc.account.exportData.queryOptions({ format }), staleTime: 0, gcTime: 0 });
      saveTextFile(file.filename, file.body, file.contentType);
    } catch (failure) {
      setError(problemText(failure));
    } finally {
      setBusy(null);
    }
  }

  return (
    <section className="card section" aria-labelledby="data-title">
      <h2 id="data-title">Your data</h2>
      <p className="muted">
        Everything Steward keeps about you: tasks and answers, payments and their evidence, top-ups, disputes, alerts, settings and your security history.
        Passwords, keys and wallet secrets are left out.
      </p>
      <div className="button-row">
        <button type="button" className="button subtle" onClick={() => void download('json')} disabled={busy !== null} data-testid="export-json">
          <Download size={16} aria-hidden /> Download JSON
        </button>
        <button type="button" className="button subtle" onClick={() => void download('csv')} disabled={busy !== null} data-testid="export-csv">
          <Download size={16} aria-hidden /> Download CSV
        </button>
      </div>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
