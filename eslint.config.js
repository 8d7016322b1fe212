// Lint rules that catch bugs, not style: the codebase has no formatter rule to obey.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'fixtures/**', 'bench/peers/**', 'kernels/**'] },
  // a disable comment that no longer suppresses anything is harmless
  { linterOptions: { reportUnusedDisableDirectives: 'off' } },
  // ESLint's own correctness rules (duplicate keys and cases, unreachable code, fallthrough, self-compare, ...)
  js.configs.recommended,
  {
    rules: {
      // binary scanning matches control bytes on purpose
      'no-control-regex': 'off',
      // a defensive initial value is not a bug
      'no-useless-assignment': 'off',
      'no-self-compare': 'error',
      'no-unused-private-class-members': 'error',
      'no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true }],
    },
  },
  {
    files: ['**/*.ts'],
    extends: [tseslint.configs.eslintRecommended],
    languageOptions: {
      parser: tseslint.parser,
      parserOptions: { project: './tsconfig.test.json', tsconfigRootDir: import.meta.dirname },
    },
    plugins: { '@typescript-eslint': tseslint.plugin },
    rules: {
      // style rules the TypeScript preset switches on
      'prefer-const': 'off',
      'no-var': 'off',
      'prefer-rest-params': 'off',
      'prefer-spread': 'off',
      'no-unused-vars': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true }],
      // a promise nobody awaits loses its error: fail closed means every failure reaches the caller
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: { globals: { ...nodeGlobals() } },
  },
);

function nodeGlobals() {
  const names = ['process', 'Buffer', 'console', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'setImmediate', 'URL', 'TextEncoder', 'TextDecoder', 'structuredClone', 'performance', 'queueMicrotask', 'AbortController', 'global', 'globalThis'];
  return Object.fromEntries(names.map((n) => [n, 'readonly']));
}
