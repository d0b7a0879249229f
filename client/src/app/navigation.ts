import { Bell, Bot, House, CircleCheck, Flag, Gavel, MessageSquare, PieChart, ReceiptText, ShieldCheck, Store, UserCog, Wallet, type LucideIcon } from 'lucide-react';

/** The areas of the product, in the order the navigation shows them. */
/** `operatorOnly` items are shown to operators only (the server refuses their procedures to everyone else). */
export const NAV_ITEMS: readonly { path: string; label: string; icon: LucideIcon; hint: string; operatorOnly?: boolean }[] = [
  { path: '/', label: 'Home', icon: House, hint: 'Balance, budget and first steps' },
  { path: '/chat', label: 'Chat', icon: MessageSquare, hint: 'Ask the agent to do a task' },
  { path: '/approvals', label: 'Approvals', icon: CircleCheck, hint: 'Spends waiting for you' },
  { path: '/budget', label: 'Budget', icon: PieChart, hint: 'Monthly limit and approval tiers' },
  { path: '/services', label: 'Services', icon: Store, hint: 'What the agent may buy' },
  { path: '/wallet', label: 'Wallet', icon: Wallet, hint: 'Balance and top-ups' },
  { path: '/activity', label: 'Activity', icon: ReceiptText, hint: 'Payments and receipts' },
  { path: '/disputes', label: 'Disputes', icon: Flag, hint: 'Complaints and refunds' },
  { path: '/alerts', label: 'Alerts', icon: Bell, hint: 'Spending alerts' },
  { path: '/agent-keys', label: 'Agent keys', icon: Bot, hint: 'Keys for AI agents (MCP)' },
  { path: '/security', label: 'Security', icon: ShieldCheck, hint: 'Two-factor, sessions, activity' },
  { path: '/account', label: 'Account', icon: UserCog, hint: 'Password, your data, delete' },
  { path: '/operator', label: 'Operator console', icon: Gavel, hint: 'Disputes to review', operatorOnly: true },
];
