import { setTimeout as delay } from 'node:timers/promises';
import type { Logger } from '../logging/Logger.js';
import type { Ingest } from './createIngest.js';

/** Waits up to `waitMs` for the workers to end their current entry; past it they are left behind. */
export async function stopIngest(
  ingest: Ingest,
  waitMs: number,
  graceMs: number,
  logger: Logger,
): Promise<void> {
  const stopped = ingest.stop().then(
    () => true,
    (error: unknown) => {
      logger.error({ err: error }, 'ingest stop failed');
      return true;
    },
  );
  const finished = await Promise.race([stopped, delay(waitMs, false, { ref: false })]);
  if (!finished)
    logger.warn({ graceMs }, 'ingest still busy at shutdown; unacked entries will be redelivered');
}
