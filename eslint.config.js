// One linter, type-aware: the rules that matter most here are the promise rules (an admission
// server or controller must never leave a promise unhandled).
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/node_modules/**', '.tmp/**'] },
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['eslint.config.js'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          // node:test tracks the promises of test() and friends itself.
          allowForKnownSafeCalls: [
            { from: 'package', package: 'node:test', name: ['test', 'it', 'describe', 'suite'] },
          ],
        },
      ],
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      eqeqeq: ['error', 'always'],
      // Prettier (npm run format) wraps code at 120; this catches the rest it leaves alone
      // (comments). A string, template literal, URL or regular expression may run longer: breaking
      // one would change a message or hide a pattern.
      'max-len': [
        'error',
        {
          code: 120,
          ignoreStrings: true,
          ignoreTemplateLiterals: true,
          ignoreUrls: true,
          ignoreRegExpLiterals: true,
        },
      ],
      // Product code is imported one way from everywhere: by package specifier
      // (`@longhorn-backup-guard/shared/intent/parse-intent`), as the workspaces import each other,
      // never by a relative path into a workspace's src/.
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(\\.\\./)+[a-z0-9-]+/src/',
              message:
                "import product code by package specifier, e.g. '@longhorn-backup-guard/shared/intent/parse-intent'",
            },
          ],
        },
      ],
    },
  },
);
