/**
 * Words people use for what a service does, keyed by the words services publish about themselves
 * (names, tags, descriptions). A service's entry in the index gains the synonyms of its own words,
 * so the table serves any provider that describes itself in these words, not only the sandbox's.
 */
export const SYNONYMS: Readonly<Record<string, readonly string[]>> = {
  joke: ['jokes', 'pun', 'puns', 'joking', 'comedy', 'gag', 'laugh', 'funny', 'humor', 'humour', 'hilarious'],
  laugh: ['laughs', 'laughter', 'giggle', 'cheer'],
  price: ['prices', 'worth', 'trading', 'trade', 'value', 'cost', 'quote', 'rate'],
  bitcoin: ['btc', 'sats', 'sat', 'satoshi', 'coin'],
  fee: ['fees', 'confirm', 'confirmed', 'confirmation', 'block', 'vb', 'vbyte', 'feerate', 'congestion', 'busy', 'backlog'],
  mempool: ['mempool', 'busy', 'congested', 'backlog'],
  report: ['analysis', 'overview', 'performance', 'recap', 'review', 'do', 'did', 'perform', 'performed'],
  volatility: ['volatile', 'swing', 'swings', 'moves'],
  weather: ['forecast', 'temperature', 'temperatures', 'hot', 'cold', 'warm', 'chilly', 'sunny', 'snow', 'snowing', 'umbrella', 'rain', 'raining', 'rainy', 'windy', 'wind', 'humid', 'humidity', 'storm', 'degrees', 'outside', 'picnic'],
  news: ['headline', 'headlines', 'stories', 'story', 'happening', 'articles', 'press'],
  sentiment: ['mood', 'tone', 'feel', 'feeling', 'feels', 'sound', 'sounds', 'positive', 'negative', 'vibe', 'attitude', 'emotion'],
  summary: ['summarise', 'summarize', 'tldr', 'shorten', 'shorter', 'condense', 'gist', 'brief', 'briefly', 'short', 'recap', 'digest', 'boil'],
  translate: ['translation', 'translated', 'say', 'language', 'spanish', 'french', 'german', 'portuguese'],
};

/** Words a person writes about the material they hand over ("this review", "my tweet"): they name no service. */
export const MATERIAL_NOUNS = new Set([
  'text', 'review', 'reviews', 'message', 'messages', 'tweet', 'post', 'article', 'email', 'comment', 'comments', 'paragraph',
  'passage', 'sentence', 'note', 'letter', 'customer', 'feedback', 'phrase', 'words', 'word', 'following', 'below', 'content',
]);
