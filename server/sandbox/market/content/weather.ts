/**
 * Plausible weather for a city and date: a climate baseline (known cities, or one derived from the
 * name), a seasonal swing by hemisphere and seeded day-to-day variation.
 */
import { roundTo, seededRandom } from './seeded';

interface Climate {
  meanC: number;
  swingC: number;
  southern: boolean;
  wetness: number; // 0..1
}

const CLIMATES: Record<string, Climate> = {
  london: { meanC: 11, swingC: 7, southern: false, wetness: 0.6 },
  paris: { meanC: 12, swingC: 8, southern: false, wetness: 0.5 },
  berlin: { meanC: 10, swingC: 10, southern: false, wetness: 0.5 },
  madrid: { meanC: 15, swingC: 10, southern: false, wetness: 0.25 },
  'new york': { meanC: 13, swingC: 12, southern: false, wetness: 0.45 },
  'san francisco': { meanC: 14, swingC: 3, southern: false, wetness: 0.3 },
  tokyo: { meanC: 16, swingC: 10, southern: false, wetness: 0.5 },
  sydney: { meanC: 18, swingC: 5, southern: true, wetness: 0.4 },
  'buenos aires': { meanC: 18, swingC: 7, southern: true, wetness: 0.4 },
  'cape town': { meanC: 17, swingC: 5, southern: true, wetness: 0.35 },
  'san salvador': { meanC: 24, swingC: 1.5, southern: false, wetness: 0.55 },
  reykjavik: { meanC: 5, swingC: 6, southern: false, wetness: 0.7 },
  nairobi: { meanC: 19, swingC: 1.5, southern: true, wetness: 0.4 },
  singapore: { meanC: 28, swingC: 1, southern: false, wetness: 0.75 },
};

function climateFor(city: string): Climate {
  const known = CLIMATES[city];
  if (known) return known;
  const rng = seededRandom('climate', city);
  return { meanC: rng.int(2, 26), swingC: rng.int(2, 12), southern: rng.next() < 0.2, wetness: rng.next() * 0.7 };
}

const CONDITIONS = [
  { name: 'clear', wet: false },
  { name: 'partly cloudy', wet: false },
  { name: 'overcast', wet: false },
  { name: 'light rain', wet: true },
  { name: 'showers', wet: true },
  { name: 'thunderstorms', wet: true },
] as const;

export function weatherFor(input: { city: string; date: string }) {
  const key = input.city.trim().toLowerCase();
  const climate = climateFor(key);
  const day = new Date(`${input.date}T00:00:00Z`);
  const dayOfYear = Math.floor((day.getTime() - Date.UTC(day.getUTCFullYear(), 0, 1)) / 86_400_000);
  // Warmest around day 200 in the north, day 15 in the south.
  const peakDay = climate.southern ? 15 : 200;
  const seasonal = Math.cos((2 * Math.PI * (dayOfYear - peakDay)) / 365);
  const rng = seededRandom('weather', key, input.date);
  const meanC = climate.meanC + climate.swingC * seasonal + (rng.next() - 0.5) * 6;
  const wet = rng.next() < climate.wetness * 0.6;
  const condition = rng.pick(CONDITIONS.filter((c) => c.wet === wet));
  const spreadC = wet ? 4 + rng.next() * 3 : 7 + rng.next() * 5;
  return {
    city: input.city.trim(),
    date: input.date,
    condition: condition.name,
    temperature_c: { min: roundTo(meanC - spreadC / 2, 1), max: roundTo(meanC + spreadC / 2, 1) },
    precipitation_mm: wet ? roundTo(rng.next() * 18 + 0.5, 1) : 0,
    humidity_pct: Math.round(wet ? 70 + rng.next() * 25 : 35 + rng.next() * 35),
    wind_kph: Math.round(5 + rng.next() * 30),
    source: 'SkyCast synthetic model (sandbox)',
  };
}
