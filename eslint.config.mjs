// ESLint flat config: type-aware TypeScript rules for the client and its tests (the type
// information comes from tsconfig.test.json, which covers both), plain rules for the e2e driver.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
    { ignores: ['client/bundled/**', 'out/**', 'node_modules/**', '.cache/**', 'test-output/**', 'tests/e2e/e2e_workspace/**'] },
    js.configs.recommended,
    {
        files: ['**/*.ts'],
        extends: [...tseslint.configs.recommendedTypeChecked],
        languageOptions: {
            parserOptions: { project: './tsconfig.test.json', tsconfigRootDir: import.meta.dirname },
        },
        rules: {
            '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
            // A promise nobody awaits hides its failure: await it, or mark it `void` on purpose.
            // (node:test's `test()` returns a promise the runner itself tracks.)
            '@typescript-eslint/no-floating-promises': ['error', { allowForKnownSafeCalls: [{ from: 'package', name: ['test', 'describe', 'it'], package: 'node:test' }] }],
            '@typescript-eslint/no-misused-promises': 'error',
            eqeqeq: 'error',
            curly: 'error',
        },
    },
    {
        // The e2e's stand-in test controller: a plain CommonJS extension.
        files: ['tests/e2e/test_controller/*.js'],
        languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', exports: 'writable', process: 'readonly', Buffer: 'readonly' } },
    },
    {
        files: ['**/*.mjs'],
        languageOptions: { globals: { process: 'readonly', console: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', URL: 'readonly', fetch: 'readonly' } },
    },
);
