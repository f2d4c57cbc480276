import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.tmp/**', 'dashboards/generated/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
      'no-console': 'off',
    },
  },
  {
    // The pure core reads no clock and does no I/O (DESIGN.md); enforced, not just documented.
    files: ['src/stats/**', 'src/detect/**', 'src/domain/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['node:*', 'fs', 'path', 'http', 'net', 'child_process'] }],
      'no-restricted-properties': ['error',
        { object: 'Date', property: 'now', message: 'pure code takes time as an argument' },
        { object: 'Math', property: 'random', message: 'pure code uses a seeded generator' }],
    },
  },
);
