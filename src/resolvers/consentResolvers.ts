import { z } from 'zod';
import type { Context } from './context.js';
import { pairKey } from './createCorpLoaders.js';
import { forCorp } from './forCorp.js';
import type { ConsentShape } from './shapes.js';
import { listMax, nonEmptyString } from './validation/rules.js';
import { validate } from './validation/validate.js';

/** Upstream takes ≤100 pairs a call; the loader splits, so a request may carry up to 1000. */
export const MAX_CONSENT_PAIRS = 1000;

const consentArgs = z.object({
  pairs: listMax(
    'pairs',
    z.object({ employeeId: nonEmptyString('employeeId'), externalUserId: nonEmptyString('externalUserId') }),
    MAX_CONSENT_PAIRS,
  ),
});

/**
 * getagreestatus/single, batched ≤100 pairs per call, deduplicated. Pairs upstream leaves out
 * of its answer are left out here too (the list holds only statuses upstream reported).
 */
export async function corpConsents(
  corpId: string,
  args: { pairs: { employeeId: string; externalUserId: string }[] },
  ctx: Context,
): Promise<ConsentShape[]> {
  const loaders = forCorp(ctx, corpId);
  const { pairs } = validate(consentArgs, args);
  const results = await loaders.singleConsent.loadMany(
    pairs.map((p) => pairKey(p.employeeId, p.externalUserId)),
  );
  const failure = results.find((r): r is Error => r instanceof Error);
  if (failure) throw failure;
  return results.filter((r): r is ConsentShape => r !== null && !(r instanceof Error));
}
