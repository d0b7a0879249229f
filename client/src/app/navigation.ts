/** The areas of the product, in the order the navigation shows them. */
export const NAV_ITEMS = [
  { path: '/chat', label: 'Chat', icon: '💬', hint: 'Ask the agent to do a task' },
  { path: '/approvals', label: 'Approvals', icon: '✅', hint: 'Spends waiting for you' },
  { path: '/budget', label: 'Budget', icon: '📊', hint: 'Monthly limit and approval tiers' },
  { path: '/wallet', label: 'Wallet', icon: '👛', hint: 'Balance and top-ups' },
  { path: '/activity', label: 'Activity', icon: '🧾', hint: 'Payments and receipts' },
  { path: '/alerts', label: 'Alerts', icon: '🔔', hint: 'Spending alerts' },
] as const;
