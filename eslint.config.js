// typescript-eslint's type-checked recommended rules, tuned to the style the code already has. No
// formatting rules: the code keeps its formatting (a mass reformat would collide with everyone's work).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'deploy/'] },
  js.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      // test/fixtures/*.mjs: worker scripts a worker thread loads as they are (no TypeScript there).
      parserOptions: { projectService: { allowDefaultProject: ['eslint.config.js', 'test/fixtures/*.mjs'] }, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // Async functions that implement a Promise-returning interface without awaiting anything are fine.
      '@typescript-eslint/require-await': 'off',
      // Options objects declare their callbacks as method signatures and pass them around unbound.
      '@typescript-eslint/unbound-method': 'off',
      // An AbortSignal's reason is `any`: rejecting with it is what the platform does.
      '@typescript-eslint/prefer-promise-reject-errors': ['error', { allowThrowingAny: true, allowThrowingUnknown: true }],
      // Errors are re-worded into one line that names their cause (no stack traces for user mistakes).
      'preserve-caught-error': 'off',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true },
      ],
      // Left as warnings for the existing findings in files others are changing (listed by npm run lint).
      '@typescript-eslint/no-unnecessary-type-assertion': 'warn',
    },
  },
  {
    // Tests read parsed JSON loosely and hand async callbacks to node:http.
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
    },
  },
);
