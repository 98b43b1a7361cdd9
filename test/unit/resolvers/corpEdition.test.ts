import { describe, expect, it } from 'vitest';
import { toCorpEdition } from '../../../src/resolvers/corpEdition.js';

describe('toCorpEdition', () => {
  it('an edition time WeCom answers as 0 (not set) is null, not 1970', () => {
    expect(toCorpEdition({ edition: 1, status: 1, begin_time: 0, end_time: 0 })).toEqual({
      edition: 1,
      status: 1,
      beginAt: null,
      endAt: null,
      msgDurationDays: null,
      authUserCount: null,
    });
  });

  it('keeps set times, and a missing time is null too', () => {
    expect(
      toCorpEdition({
        edition: 2,
        begin_time: 1_700_000_000,
        end_time: 1_800_000_000,
        msg_duration_days: 180,
        auth_user_count: 4,
      }),
    ).toEqual({
      edition: 2,
      status: null,
      beginAt: 1_700_000_000,
      endAt: 1_800_000_000,
      msgDurationDays: 180,
      authUserCount: 4,
    });
    expect(toCorpEdition({ edition: 3, end_time: 1_800_000_000 })).toMatchObject({
      beginAt: null,
      endAt: 1_800_000_000,
    });
  });
});
