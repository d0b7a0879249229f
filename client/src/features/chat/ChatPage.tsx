import { PlaceholderPage } from '../../components/PlaceholderPage';

export function ChatPage() {
  return (
    <PlaceholderPage
      title="Chat"
      summary="Tell Steward what you need in plain words. The agent plans the paid calls, shows you a quote, and only spends what you allow."
    />
  );
}
