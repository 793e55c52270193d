/**
 * Severity 0-100 and its level, and the confidence shown beside it (DETECTION.md).
 *
 * severity = 100 · (0.30·significance + 0.30·fold + 0.25·breadth + 0.10·growth + 0.05·novelty), each part in
 * [0, 1]: significance = (log10 α − log10 p)/10; fold = log2(fold)/6 (×64 is full); breadth =
 * log2(effective operators)/4 (16 is full); growth = 1 for a doubling time up to 6 h, 0.5 up to 24 h; novelty = 1
 * for a key quiet for 28 days. A CUSUM-only firing is at most `low`. Levels: info < 25 ≤ low < 45 ≤ medium < 65 ≤
 * high.
 */
import type { AlertLevel, Incident } from './types.js';

const clip01 = (v: number): number => (Number.isFinite(v) ? Math.min(1, Math.max(0, v)) : 0);

export interface SeverityParts {
  logP: number;
  logAlpha: number;
  fold: number;
  effectiveOperators: number;
  doublingHours: number | null;
  novel: boolean;
  cusumOnly: boolean;
}

export function severityOf(p: SeverityParts): number {
  const sig = clip01((p.logAlpha - p.logP) / Math.LN10 / 10);
  const fold = clip01(Math.log2(Math.max(1, p.fold)) / 6);
  const breadth = clip01(Math.log2(Math.max(1, p.effectiveOperators)) / 4);
  const d = p.doublingHours;
  const growth = d === null ? 0 : d <= 6 ? 1 : d <= 24 ? 0.5 : 0;
  const s = Math.round(
    100 * (0.3 * sig + 0.3 * fold + 0.25 * breadth + 0.1 * growth + 0.05 * (p.novel ? 1 : 0)),
  );
  return p.cusumOnly ? Math.min(44, s) : s;
}

export function levelOf(severity: number): AlertLevel {
  if (severity >= 65) return 'high';
  if (severity >= 45) return 'medium';
  if (severity >= 25) return 'low';
  return 'info';
}

export const LEVEL_RANK: Record<AlertLevel, number> = { info: 0, low: 1, medium: 2, high: 3 };

export function confidenceOf(operators: number, handshakeShare: number | null): Incident['confidence'] {
  const label =
    operators >= 10 || (operators >= 5 && (handshakeShare ?? 0) >= 0.5)
      ? 'high'
      : operators >= 3
        ? 'medium'
        : 'low';
  return { operators, handshake_share: handshakeShare, label };
}
