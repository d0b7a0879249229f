/** Text services computed locally: lexicon sentiment, extractive summaries and dictionary translation. */
import { roundTo } from './seeded';

export function words(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}']+/gu) ?? [];
}

const POSITIVE = new Set([
  'good', 'great', 'excellent', 'amazing', 'love', 'like', 'happy', 'fast', 'cheap', 'reliable', 'easy',
  'helpful', 'wonderful', 'best', 'nice', 'fantastic', 'pleasant', 'secure', 'smooth', 'clear', 'win',
  'success', 'successful', 'recommend', 'impressive', 'delightful', 'brilliant', 'friendly', 'perfect', 'glad',
]);
const NEGATIVE = new Set([
  'bad', 'terrible', 'awful', 'hate', 'slow', 'expensive', 'broken', 'buggy', 'poor', 'worst', 'sad', 'angry',
  'difficult', 'hard', 'confusing', 'unreliable', 'fail', 'failed', 'failure', 'scam', 'lost', 'annoying',
  'disappointing', 'disappointed', 'insecure', 'crash', 'crashed', 'horrible', 'useless', 'late',
]);
const NEGATORS = new Set(['not', "don't", "doesn't", "isn't", "wasn't", 'never', 'no', "can't", "won't"]);
const INTENSIFIERS = new Set(['very', 'really', 'extremely', 'so', 'super', 'incredibly']);

export function analyseSentiment(input: { text: string }) {
  const tokens = words(input.text);
  let score = 0;
  const matched: Array<{ word: string; weight: number }> = [];
  tokens.forEach((word, i) => {
    const polarity = POSITIVE.has(word) ? 1 : NEGATIVE.has(word) ? -1 : 0;
    if (polarity === 0) return;
    const prev = tokens[i - 1] ?? '';
    const prev2 = tokens[i - 2] ?? '';
    const negated = NEGATORS.has(prev) || (INTENSIFIERS.has(prev) && NEGATORS.has(prev2));
    const weight = polarity * (INTENSIFIERS.has(prev) ? 1.5 : 1) * (negated ? -0.8 : 1);
    score += weight;
    matched.push({ word, weight: roundTo(weight, 2) });
  });
  // Squash into [-1, 1] so long texts do not run off the scale.
  const normalised = matched.length === 0 ? 0 : score / Math.sqrt(score * score + 4);
  const label: 'positive' | 'negative' | 'neutral' = normalised > 0.15 ? 'positive' : normalised < -0.15 ? 'negative' : 'neutral';
  return { label, score: roundTo(normalised, 3), words_analysed: tokens.length, matched_terms: matched };
}

const STOPWORDS = new Set([
  'the', 'a', 'an', 'and', 'or', 'but', 'of', 'to', 'in', 'on', 'for', 'with', 'is', 'are', 'was', 'were', 'be',
  'it', 'its', 'this', 'that', 'as', 'at', 'by', 'from', 'has', 'have', 'had', 'not', 'they', 'their', 'we',
  'you', 'i', 'he', 'she', 'his', 'her', 'will', 'would', 'can', 'could', 'so', 'if', 'than', 'then', 'there',
]);

export function splitSentences(text: string): string[] {
  return (text.replace(/\s+/g, ' ').match(/[^.!?]+[.!?]*/g) ?? []).map((s) => s.trim()).filter((s) => s.length > 0);
}

/** Ranks sentences by the document frequency of their content words; keeps the best in original order. */
export function summarise(input: { text: string; sentences: number }) {
  const sentences = splitSentences(input.text);
  const frequency = new Map<string, number>();
  for (const word of words(input.text)) {
    if (!STOPWORDS.has(word)) frequency.set(word, (frequency.get(word) ?? 0) + 1);
  }
  const scored = sentences.map((sentence, index) => {
    const content = words(sentence).filter((w) => !STOPWORDS.has(w));
    const total = content.reduce((sum, w) => sum + (frequency.get(w) ?? 0), 0);
    // A small bonus for the lead sentence, which tends to carry the topic.
    return { sentence, index, score: (content.length ? total / content.length : 0) + (index === 0 ? 0.5 : 0) };
  });
  const chosen = [...scored]
    .sort((a, b) => b.score - a.score || a.index - b.index)
    .slice(0, input.sentences)
    .sort((a, b) => a.index - b.index);
  const joined = chosen.map((c) => c.sentence).join(' ');
  return {
    // An excerpt, as the manifest promises (output_text_within): sentences glued without a space in
    // the input ("Hi.There.") would come out one character longer each, so the excess is cut.
    summary: joined.slice(0, input.text.length),
    sentences_in: sentences.length,
    sentences_out: chosen.length,
    compression_pct: input.text.length === 0 ? 0 : Math.round((100 * chosen.reduce((n, c) => n + c.sentence.length, 0)) / input.text.length),
  };
}

export const TARGET_LANGUAGES = ['es', 'fr', 'de', 'pt'] as const;
export type TargetLanguage = (typeof TARGET_LANGUAGES)[number];

// A small English phrasebook: enough for demo sentences about payments, weather and greetings.
const DICTIONARY: Record<string, Record<TargetLanguage, string>> = {
  hello: { es: 'hola', fr: 'bonjour', de: 'hallo', pt: 'olá' },
  goodbye: { es: 'adiós', fr: 'au revoir', de: 'auf wiedersehen', pt: 'adeus' },
  thank: { es: 'gracias', fr: 'merci', de: 'danke', pt: 'obrigado' },
  thanks: { es: 'gracias', fr: 'merci', de: 'danke', pt: 'obrigado' },
  you: { es: 'tú', fr: 'vous', de: 'du', pt: 'você' },
  i: { es: 'yo', fr: 'je', de: 'ich', pt: 'eu' },
  we: { es: 'nosotros', fr: 'nous', de: 'wir', pt: 'nós' },
  the: { es: 'el', fr: 'le', de: 'der', pt: 'o' },
  a: { es: 'un', fr: 'un', de: 'ein', pt: 'um' },
  and: { es: 'y', fr: 'et', de: 'und', pt: 'e' },
  is: { es: 'es', fr: 'est', de: 'ist', pt: 'é' },
  are: { es: 'son', fr: 'sont', de: 'sind', pt: 'são' },
  good: { es: 'bueno', fr: 'bon', de: 'gut', pt: 'bom' },
  morning: { es: 'mañana', fr: 'matin', de: 'morgen', pt: 'manhã' },
  night: { es: 'noche', fr: 'nuit', de: 'nacht', pt: 'noite' },
  day: { es: 'día', fr: 'jour', de: 'tag', pt: 'dia' },
  today: { es: 'hoy', fr: "aujourd'hui", de: 'heute', pt: 'hoje' },
  tomorrow: { es: 'mañana', fr: 'demain', de: 'morgen', pt: 'amanhã' },
  weather: { es: 'tiempo', fr: 'météo', de: 'wetter', pt: 'tempo' },
  rain: { es: 'lluvia', fr: 'pluie', de: 'regen', pt: 'chuva' },
  sun: { es: 'sol', fr: 'soleil', de: 'sonne', pt: 'sol' },
  cold: { es: 'frío', fr: 'froid', de: 'kalt', pt: 'frio' },
  hot: { es: 'caliente', fr: 'chaud', de: 'heiß', pt: 'quente' },
  money: { es: 'dinero', fr: 'argent', de: 'geld', pt: 'dinheiro' },
  payment: { es: 'pago', fr: 'paiement', de: 'zahlung', pt: 'pagamento' },
  pay: { es: 'pagar', fr: 'payer', de: 'bezahlen', pt: 'pagar' },
  price: { es: 'precio', fr: 'prix', de: 'preis', pt: 'preço' },
  wallet: { es: 'billetera', fr: 'portefeuille', de: 'geldbörse', pt: 'carteira' },
  fast: { es: 'rápido', fr: 'rapide', de: 'schnell', pt: 'rápido' },
  cheap: { es: 'barato', fr: 'bon marché', de: 'billig', pt: 'barato' },
  friend: { es: 'amigo', fr: 'ami', de: 'freund', pt: 'amigo' },
  please: { es: 'por favor', fr: "s'il vous plaît", de: 'bitte', pt: 'por favor' },
  yes: { es: 'sí', fr: 'oui', de: 'ja', pt: 'sim' },
  no: { es: 'no', fr: 'non', de: 'nein', pt: 'não' },
  world: { es: 'mundo', fr: 'monde', de: 'welt', pt: 'mundo' },
  bitcoin: { es: 'bitcoin', fr: 'bitcoin', de: 'bitcoin', pt: 'bitcoin' },
  lightning: { es: 'relámpago', fr: 'éclair', de: 'blitz', pt: 'relâmpago' },
  network: { es: 'red', fr: 'réseau', de: 'netzwerk', pt: 'rede' },
  buy: { es: 'comprar', fr: 'acheter', de: 'kaufen', pt: 'comprar' },
  coffee: { es: 'café', fr: 'café', de: 'kaffee', pt: 'café' },
  how: { es: 'cómo', fr: 'comment', de: 'wie', pt: 'como' },
  much: { es: 'mucho', fr: 'beaucoup', de: 'viel', pt: 'muito' },
  where: { es: 'dónde', fr: 'où', de: 'wo', pt: 'onde' },
  my: { es: 'mi', fr: 'mon', de: 'mein', pt: 'meu' },
  your: { es: 'tu', fr: 'votre', de: 'dein', pt: 'seu' },
  it: { es: 'eso', fr: 'il', de: 'es', pt: 'isso' },
  very: { es: 'muy', fr: 'très', de: 'sehr', pt: 'muito' },
};

export function translate(input: { text: string; to: TargetLanguage }) {
  const untranslated = new Set<string>();
  // Replace word by word, keeping punctuation and spacing; unknown words pass through unchanged.
  const translation = input.text.replace(/[\p{L}']+/gu, (word) => {
    const entry = DICTIONARY[word.toLowerCase()];
    if (!entry) {
      untranslated.add(word.toLowerCase());
      return word;
    }
    const target = entry[input.to];
    return word[0] === word[0]?.toUpperCase() && word[0] !== word[0]?.toLowerCase()
      ? target.charAt(0).toUpperCase() + target.slice(1)
      : target;
  });
  return {
    from: 'en' as const,
    to: input.to,
    translation,
    words: words(input.text).length,
    untranslated: [...untranslated],
    method: 'Wordsmith phrasebook (word by word, sandbox)',
  };
}
