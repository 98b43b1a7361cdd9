import type { ConsentStatus } from './shapes.js';

/** Upstream `agree_status` strings (docs/upstream.md §3.7) to the schema enum. */
export function toConsentStatus(status: 'Agree' | 'Disagree' | 'Default_Agree'): ConsentStatus {
  switch (status) {
    case 'Agree':
      return 'AGREE';
    case 'Disagree':
      return 'DISAGREE';
    case 'Default_Agree':
      return 'DEFAULT_AGREE';
  }
}
