import type { SimulatorOptions } from '../simulatorOptions.js';

/** `contract` mode: bool where the official example shows one, int 0/1 elsewhere (docs/upstream.md §2.1, §8.9). */
const BOOL_IN_CONTRACT = new Set([
  '/cgi-bin/chatdata/sync_msg',
  '/cgi-bin/chatdata/get_auth_user_list',
  '/cgi-bin/chatdata/keyword/get_rule_list',
]);

export function hasMore(options: SimulatorOptions, path: string, more: boolean): number | boolean {
  const asBool = options.hasMore === 'bool' || (options.hasMore === 'contract' && BOOL_IN_CONTRACT.has(path));
  return asBool ? more : more ? 1 : 0;
}
