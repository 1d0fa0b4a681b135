// Similarity of two normalized tokens: exact, or one or two edits (optimal string alignment) scaled by length.
import { osaDistance } from '../normalize/edit-distance.js';

/**
 * Similarity 0..1 of two word tokens. Equal → 1. Tokens shorter than 4 letters must be equal.
 * One edit: 0.94 (≥ 9 letters), 0.92 (8), 0.90 (7), 0.87 (6), 0.80 (5), 0.70 (4).
 * Two edits: 0.85 (≥ 10), 0.78 (8–9), 0.65 (6–7). Anything further apart → 0.
 */
export function tokenSimilarity(a: string, b: string): number {
  if (a === b) return 1;
  const minL = Math.min(a.length, b.length);
  const maxL = Math.max(a.length, b.length);
  if (minL < 4 || maxL - minL > 2) return 0;
  const d = osaDistance(a, b, maxL >= 6 ? 2 : 1);
  if (d === 1) return maxL >= 9 ? 0.94 : maxL === 8 ? 0.92 : maxL === 7 ? 0.9 : maxL === 6 ? 0.87 : maxL === 5 ? 0.8 : 0.7;
  if (d === 2) return maxL >= 10 ? 0.85 : maxL >= 8 ? 0.78 : 0.65;
  return 0;
}
