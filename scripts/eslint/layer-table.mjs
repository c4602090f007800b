// The core's floors: the one layer table. eslint.config.mjs (rule `layers/layers`) and
// `npm run layers` (scripts/layers.mjs) both read it. Lowest layer first; a unit is a top-level
// folder or loose .ts file of src/core (`src/core/docker/…` → `docker`, `src/core/planner.ts` →
// `planner`), and each wing (`src/cli`, `src/vscode`) is one unit. Imports only go down (or stay
// within a layer), and no two units may import each other in a cycle.
export const layerTable = [
  { name: 'ground', units: ['errors', 'time', 'inputs', 'files', 'process', 'stack', 'scenarios', 'checks', 'progress'] },
  { name: 'clients', units: ['meminfo', 'docker', 'ssh', 'compose', 'hub', 'gateway'] },
  {
    name: 'features',
    units: [
      'planner', 'scenario-fit', 'certs', 'sync-env', 'preflight', 'stack-create', 'logs', 'metrics', 'state', 'memory',
      'weights', 'models', 'stack-edit', 'adopt', 'lifecycle', 'chat', 'doctor',
    ],
  },
  { name: 'wings', units: ['cli', 'vscode'] },
];

export default layerTable;
