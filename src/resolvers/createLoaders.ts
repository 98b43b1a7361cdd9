import { type CorpLoaders, createCorpLoaders, type LoaderDeps } from './createCorpLoaders.js';

export type { LoaderDeps };

export type Loaders = {
  /** The loaders of one corp, created on first use within this request. */
  corp(corpId: string): CorpLoaders;
};

export type RenewableLoaders = Loaders & {
  /** Forgets every corp's loaders (and so their caches): the next `corp()` builds fresh ones. */
  clear(): void;
};

/**
 * Called once per request by the context factory; never share the result between requests.
 * Nothing is built up front: a corp's loaders on its first `corp()`, each loader on its first use.
 */
export function createLoaders(deps: LoaderDeps): RenewableLoaders {
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
    clear() {
      byCorp.clear();
    },
  };
}
