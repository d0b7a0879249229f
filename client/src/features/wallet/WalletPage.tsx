import { PlaceholderPage } from '../../components/PlaceholderPage';

export function WalletPage() {
  return (
    <PlaceholderPage
      title="Wallet"
      summary="Your Lightning spending balance, card top-ups and wallet connection."
    />
  );
}
