import { PlaceholderPage } from '../../components/PlaceholderPage';

export function ActivityPage() {
  return (
    <PlaceholderPage
      title="Activity"
      summary="Every payment the agent made, with its receipt and evidence."
    />
  );
}
