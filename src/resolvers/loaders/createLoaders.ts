import type { MessageLookup, WecomApi } from '../../datasources/ports.js';
import { type CorpLoaders, createCorpLoaders } from './createCorpLoaders.js';

export type LoaderDeps = { api: WecomApi; messages: MessageLookup | null };

export type Loaders = {
  /** The loaders of one corp, created on first use within this request. */
  corp(corpId: string): CorpLoaders;
};

/** Called once per request by the context factory; never share the result between requests. */
export function createLoaders(deps: LoaderDeps): Loaders {
  const byCorp = new Map<string, CorpLoaders>();
  return {
    corp(corpId) {
      let loaders = byCorp.get(corpId);
      if (!loaders) {
        loaders = createCorpLoaders(corpId, deps);
        byCorp.set(corpId, loaders);
      }
      return loaders;
    },
  };
}
