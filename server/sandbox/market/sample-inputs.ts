/**
 * A valid input for every market service (query for GET, JSON body for POST), for the tests that buy
 * each service: the sandbox's own and the app's integration tests. Not used outside tests.
 */
export const SAMPLE_INPUTS: Readonly<Record<string, Readonly<Record<string, string | number>>>> = {
  joke: { topic: 'lightning' },
  'btc-price': { currency: 'EUR' },
  'fee-estimate': {},
  'market-report': { period: 'week' },
  sentiment: { text: 'The wallet is fast and reliable.' },
  summarise: { text: 'Lightning settles fast. Fees are low. Channels need liquidity.', sentences: 1 },
  translate: { text: 'Hello friend, the weather is good today.', to: 'es' },
  weather: { city: 'London', date: '2025-07-01' },
  'city-weather': { city: 'Berlin', date: '2025-07-01' },
  headlines: { topic: 'economy', count: 3 },
};
