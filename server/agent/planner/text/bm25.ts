/**
 * BM25F ranking (Robertson & Zaragoza, "The Probabilistic Relevance Framework: BM25 and Beyond",
 * section 3.5): per-field term frequencies are length-normalised and weighted into one pseudo
 * frequency per document before BM25's saturation, so a term in a service's name counts for more
 * than the same term deep in its input schema, without a long field drowning a short one.
 *
 * Hand-written rather than a search library: the planner needs the raw score to apply an absolute
 * relevance threshold, the matched terms per document for its coverage check, and a stable tie-break,
 * and the whole thing is a few dozen lines over a catalog of tens of services.
 */

export interface Bm25Field {
  weight: number;
  /** Length normalisation strength, 0 (none) to 1 (full). */
  b: number;
}

export interface Bm25Document<F extends string> {
  id: string;
  fields: Record<F, readonly string[]>;
}

export interface Bm25Hit {
  id: string;
  score: number;
  /** Distinct query terms found in the document, in query order. */
  matched: string[];
}

export interface Bm25Index {
  /** Hits with a positive score, best first; equal scores are ordered by id so results are stable. */
  search(queryTerms: readonly string[]): Bm25Hit[];
  /** Inverse document frequency of a term (0 for a term no document has). */
  idf(term: string): number;
}

const K1 = 1.2;

export function buildBm25Index<F extends string>(
  documents: readonly Bm25Document<F>[],
  fields: Record<F, Bm25Field>,
): Bm25Index {
  const fieldNames = Object.keys(fields) as F[];
  const averageLength = new Map<F, number>();
  for (const f of fieldNames) {
    const total = documents.reduce((sum, d) => sum + d.fields[f].length, 0);
    averageLength.set(f, documents.length === 0 ? 0 : total / documents.length);
  }

  // Pseudo term frequency per document: sum over fields of weight * tf / length normalisation.
  const pseudoTf = documents.map((doc) => {
    const tf = new Map<string, number>();
    for (const f of fieldNames) {
      const { weight, b } = fields[f];
      const avg = averageLength.get(f) ?? 0;
      const length = doc.fields[f].length;
      const norm = avg === 0 ? 1 : 1 - b + (b * length) / avg;
      for (const term of doc.fields[f]) tf.set(term, (tf.get(term) ?? 0) + weight / norm);
    }
    return tf;
  });

  const documentFrequency = new Map<string, number>();
  for (const tf of pseudoTf) for (const term of tf.keys()) documentFrequency.set(term, (documentFrequency.get(term) ?? 0) + 1);

  const n = documents.length;
  const idf = (term: string) => {
    const df = documentFrequency.get(term) ?? 0;
    if (df === 0) return 0;
    // The "+1" form never goes negative, so a term most documents share still counts a little.
    return Math.log(1 + (n - df + 0.5) / (df + 0.5));
  };

  return {
    idf,
    search(queryTerms) {
      const distinct = [...new Set(queryTerms)];
      const hits: Bm25Hit[] = [];
      documents.forEach((doc, i) => {
        const tf = pseudoTf[i];
        if (!tf) return;
        let score = 0;
        const matched: string[] = [];
        for (const term of distinct) {
          const f = tf.get(term);
          if (f === undefined) continue;
          score += (idf(term) * f * (K1 + 1)) / (f + K1);
          matched.push(term);
        }
        if (score > 0) hits.push({ id: doc.id, score, matched });
      });
      return hits.sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    },
  };
}
