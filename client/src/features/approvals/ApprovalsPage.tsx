import { PlaceholderPage } from '../../components/PlaceholderPage';

export function ApprovalsPage() {
  return (
    <PlaceholderPage
      title="Approvals"
      summary="Spends that need your click or your 2FA code wait here, with their quote and steps."
    />
  );
}
