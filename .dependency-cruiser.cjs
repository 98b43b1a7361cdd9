/**
 * The layout's rules, checked by `npm run lint:layout` (part of `npm test`): imports point one way,
 * schema → resolvers → domain folders (ingest, stats, alerts, callbacks) → datasources
 * (corps → wecom → coordination → store) → logging, config. A folder that imports a folder that
 * imports it back is an error, and so is any file-level cycle.
 */
module.exports = {
  forbidden: [
    {
      name: 'no-folder-cycle',
      comment:
        'Two folders that import each other: move the shared piece down, or wire the two one level up.',
      severity: 'error',
      scope: 'folder',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'no-file-cycle',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'composition-on-top',
      comment: 'The files at the top of src/ build the folders; nothing in a folder imports them back.',
      severity: 'error',
      from: { path: '^src/[^/]+/' },
      to: { path: '^src/[^/]+\\.ts$' },
    },
    {
      name: 'datasources-factories-on-top',
      comment:
        'createDatasources/createDurableStores build the datasources sub-folders; none imports them back.',
      severity: 'error',
      from: { path: '^src/datasources/[^/]+/' },
      to: { path: '^src/datasources/[^/]+\\.ts$' },
    },
    {
      name: 'no-gateway-to-simulator',
      comment: 'The gateway and the simulator share no code; only the embedded launcher starts it.',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/embedded\\.ts$' },
      to: { path: '^simulator/' },
    },
    {
      name: 'no-simulator-to-gateway',
      severity: 'error',
      from: { path: '^simulator/' },
      to: { path: '^src/' },
    },
    {
      name: 'store-below-everything',
      comment: 'The store and coordination folders implement interfaces; they know no domain.',
      severity: 'error',
      from: { path: '^src/datasources/(store|coordination)/' },
      to: { path: '^src/', pathNot: '^src/(datasources/(store|coordination)|logging|config)/' },
    },
    {
      name: 'wecom-below-corps',
      severity: 'error',
      from: { path: '^src/datasources/wecom/' },
      to: { path: '^src/', pathNot: '^src/(datasources/(wecom|store|coordination)|logging|config|tracing)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.mjs'] },
  },
};
