export const HOUR_S = 3600;
export const DAY_S = 86_400;

/** Bucket ids: `h<hour since epoch>` or `d<UTC day since epoch>`. */
export const hourBucket = (unixS: number) => `h${Math.floor(unixS / HOUR_S)}`;
export const dayBucket = (unixS: number) => `d${Math.floor(unixS / DAY_S)}`;

/** The end of a bucket (exclusive), unix s: retention drops it that long after. */
export function bucketEnd(bucket: string): number {
  const n = Number(bucket.slice(1));
  const span = bucket.startsWith('d') ? DAY_S : HOUR_S;
  return (n + 1) * span;
}

export type BucketPlan = {
  /** The window actually answered: `from` rounded down and `to` rounded up to whole hours (unix s). */
  from: number;
  to: number;
  buckets: string[];
};

/**
 * The buckets covering [from, to) at hour resolution: whole UTC days inside the window are read
 * from day buckets (every update writes both), the ragged edges from hour buckets, so a 92-day
 * window costs at most 92 + 46 reads.
 */
export function bucketsFor(fromS: number, toS: number): BucketPlan {
  const fromH = Math.floor(fromS / HOUR_S);
  const toH = Math.ceil(toS / HOUR_S);
  const buckets: string[] = [];
  let h = fromH;
  while (h < toH) {
    if (h % 24 === 0 && h + 24 <= toH) {
      buckets.push(`d${h / 24}`);
      h += 24;
    } else {
      buckets.push(`h${h}`);
      h += 1;
    }
  }
  return { from: fromH * HOUR_S, to: toH * HOUR_S, buckets };
}
