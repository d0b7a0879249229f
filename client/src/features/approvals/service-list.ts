/**
 * The services a quote buys, each named once with how many times: "weather ×2, btc-price" rather than
 * "weather, btc-price, weather" (two cities' reports are two steps of one service), in first-seen order.
 */
export function serviceList(steps: readonly { serviceName: string }[]): string {
  const counts = new Map<string, number>();
  for (const step of steps) counts.set(step.serviceName, (counts.get(step.serviceName) ?? 0) + 1);
  return [...counts].map(([name, count]) => (count === 1 ? name : `${name} ×${count}`)).join(', ');
}
