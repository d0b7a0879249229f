import { PlaceholderPage } from '../../components/PlaceholderPage';

export function BudgetPage() {
  return (
    <PlaceholderPage
      title="Budget"
      summary="Your monthly limit, approval tiers and alert thresholds."
    />
  );
}
