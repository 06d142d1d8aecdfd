// Lint rules. The one that matters most: nothing the server runs may write to
// stdout, because on the stdio server stdout *is* the MCP protocol channel.
// Only src/cli/output.ts (the CLI's output for people) and the benchmark/demo
// scripts may print there.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', 'jobs/', 'state/', 'cli-wrappers/python/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      'no-console': 'error',
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'stdout', message: 'stdout is the MCP protocol channel: write to stderr or a log file.' },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Output for people: the CLI's printer, benchmarks, the demo, tests.
    files: ['src/cli/output.ts', 'bench/**', 'examples/demo*.ts', 'test/**', 'scripts/**'],
    rules: { 'no-console': 'off', 'no-restricted-properties': 'off' },
  },
);
