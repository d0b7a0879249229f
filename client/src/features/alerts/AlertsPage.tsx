import { PlaceholderPage } from '../../components/PlaceholderPage';

export function AlertsPage() {
  return (
    <PlaceholderPage
      title="Alerts"
      summary="Budget thresholds, approvals waiting, price changes and failed payments."
    />
  );
}
