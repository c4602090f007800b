// ESLint flat config: strict TypeScript rules, zero warnings, and the one architectural rule
// that matters most — the core never imports VS Code, so it runs in the CLI and in tests.
import tseslint from 'typescript-eslint';
import layers from './scripts/eslint/layers.mjs';
import { layerTable } from './scripts/eslint/layer-table.mjs';

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'out/**', '.out/**', '.vscode-test/**', '.e2e/**', 'test-results/**', 'simulator/**'] },
  ...tseslint.configs.strict,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
    },
  },
  {
    files: ['src/core/**/*.ts', 'src/cli/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'vscode', message: 'src/core and src/cli must not depend on VS Code; put VS Code code in src/vscode.' }],
      }],
      'no-restricted-syntax': ['error', {
        selector: "CallExpression[callee.name='require'][arguments.0.value='vscode']",
        message: 'src/core and src/cli must not depend on VS Code.',
      }],
    },
  },
  {
    // The core's floors (scripts/eslint/layer-table.mjs): imports only go down the layers, a unit
    // of src/core is in exactly one layer, and no two units import each other in a cycle.
    files: ['src/**/*.ts'],
    plugins: { layers },
    rules: {
      'layers/layers': ['error', layerTable],
    },
  },
  {
    files: ['webview/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{ group: ['vscode', '../src/**'], message: 'The webview imports only types from src/ (use `import type`).', allowTypeImports: true }],
      }],
    },
  },
);
