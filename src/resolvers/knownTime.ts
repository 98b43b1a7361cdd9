/**
 * A unix time from upstream, or null when it means "unknown": WeCom answers 0 for a time that
 * was never set (a consent nobody changed yet, a member with no join record), and 0 must not
 * reach clients as 1970-01-01T00:00:00.000Z.
 */
export function knownTime(seconds: number | null | undefined): number | null {
  return typeof seconds === 'number' && seconds > 0 ? seconds : null;
}
