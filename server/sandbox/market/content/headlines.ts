/** Headlines from templates and seeded fill-ins: varied, plausible and identical for the same day and topic. */
import { seededRandom } from './seeded';

export const HEADLINE_TOPICS = ['bitcoin', 'technology', 'economy', 'science'] as const;
export type HeadlineTopic = (typeof HEADLINE_TOPICS)[number];

const TEMPLATES: Record<HeadlineTopic, { templates: readonly string[]; subjects: readonly string[]; verbs: readonly string[] }> = {
  bitcoin: {
    templates: ['{subject} {verb} as hash rate reaches new high', '{subject} {verb} ahead of developer conference', 'Analysts say {subject} {verb} despite quiet markets', '{subject} {verb}, Lightning usage grows'],
    subjects: ['Miners', 'Exchange reserves', 'Lightning capacity', 'Self-custody adoption', 'Merchant payments', 'Node count'],
    verbs: ['climb', 'hold steady', 'surprise observers', 'edge lower', 'double year on year'],
  },
  technology: {
    templates: ['{subject} {verb} in new industry survey', 'Open-source {subject} {verb}', '{subject} {verb} as regulators take notice', 'Why {subject} {verb} this quarter'],
    subjects: ['AI agents', 'Edge computing', 'Browser vendors', 'Chip makers', 'Payment APIs', 'Password-less logins'],
    verbs: ['gain ground', 'face scrutiny', 'cut costs', 'ship major update', 'hit record usage'],
  },
  economy: {
    templates: ['{subject} {verb} after central bank meeting', '{subject} {verb}, survey finds', 'Markets watch as {subject} {verb}', '{subject} {verb} for third month'],
    subjects: ['Inflation expectations', 'Small businesses', 'Remittance flows', 'Bond yields', 'Consumer spending', 'Savings rates'],
    verbs: ['rise', 'cool', 'stabilise', 'beat forecasts', 'fall short'],
  },
  science: {
    templates: ['Researchers find {subject} {verb}', '{subject} {verb} in landmark study', 'New telescope shows {subject} {verb}', '{subject} {verb}, say physicists'],
    subjects: ['distant galaxies', 'ocean currents', 'battery chemistries', 'quantum sensors', 'soil microbes', 'coral reefs'],
    verbs: ['behave unexpectedly', 'recover faster', 'store more energy', 'defy models', 'adapt to heat'],
  },
};

export function headlinesFor(input: { topic: HeadlineTopic; date: string; count: number }) {
  const { templates, subjects, verbs } = TEMPLATES[input.topic];
  const rng = seededRandom('headlines', input.topic, input.date);
  const items = Array.from({ length: input.count }, (_, i) => {
    const text = rng.pick(templates).replace('{subject}', rng.pick(subjects)).replace('{verb}', rng.pick(verbs));
    return {
      id: `${input.topic}-${input.date}-${i + 1}`,
      headline: text.charAt(0).toUpperCase() + text.slice(1),
      outlet: rng.pick(['The Block Times', 'Satoshi Gazette', 'Ledger Daily', 'Open Wire', 'Signal & Noise']),
      minutes_to_read: rng.int(2, 9),
    };
  });
  return { topic: input.topic, date: input.date, headlines: items };
}
