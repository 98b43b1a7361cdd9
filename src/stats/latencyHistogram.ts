/**
 * Upper edges (seconds, exclusive) of the fixed latency bins; the last bin is open (≥ 1 day).
 * Medians and percentiles are estimated from these bins, so they are approximate; counts, sums
 * and averages are exact.
 */
export const LATENCY_BIN_EDGES = [10, 30, 60, 120, 300, 600, 1800, 3600, 7200, 14400, 28800, 86400] as const;

export function latencyBin(seconds: number): number {
  const i = LATENCY_BIN_EDGES.findIndex((edge) => seconds < edge);
  return i === -1 ? LATENCY_BIN_EDGES.length : i;
}

/**
 * The q-quantile (0 < q ≤ 1) of the samples counted in `bins`, by linear interpolation inside
 * the bin holding rank ceil(q·n) (as Prometheus' histogram_quantile does). The open last bin
 * answers its lower edge (86400). Null without samples.
 */
export function estimateQuantile(bins: readonly number[], q: number): number | null {
  const total = bins.reduce((a, b) => a + b, 0);
  if (total === 0) return null;
  const rank = Math.max(1, Math.ceil(q * total));
  let before = 0;
  for (let i = 0; i < bins.length; i++) {
    const inBin = bins[i] ?? 0;
    if (before + inBin >= rank) {
      const lower = i === 0 ? 0 : LATENCY_BIN_EDGES[i - 1]!;
      const upper = LATENCY_BIN_EDGES[i];
      if (upper === undefined) return lower;
      return lower + ((upper - lower) * (rank - before)) / inBin;
    }
    before += inBin;
  }
  return null;
}
