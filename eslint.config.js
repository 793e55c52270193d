// One linter for the whole tree. Typed rules for promises (a daemon is all promises), and the dependency
// direction of docs/ARCHITECTURE.md enforced with no-restricted-imports, folder by folder.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const layer = (files, forbidden) => ({
  files,
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: forbidden.map((dir) => ({
          group: [`**/${dir}/**`, `../${dir}/*`, `../../${dir}/*`, `../../../${dir}/*`],
          message: `dependencies point one way (docs/ARCHITECTURE.md): this layer must not import src/${dir}`,
        })),
      },
    ],
  },
});

const server = ['ingest', 'bus', 'store', 'pipeline', 'intel', 'publish', 'api', 'cli', 'sim'];

export default tseslint.config(
  { ignores: ['dist/**', 'web/dist/**', 'node_modules/**', 'coverage/**', 'bin/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        project: ['./tsconfig.check.json', './web/tsconfig.json'],
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/restrict-template-expressions': [
        'error',
        { allowNumber: true, allowBoolean: true },
      ],
    },
  },
  { files: ['**/*.js', '**/*.mjs'], ...tseslint.configs.disableTypeChecked },
  layer(['src/core/**/*.ts'], ['protocol', 'sensor', ...server]),
  layer(['src/protocol/**/*.ts'], ['sensor', ...server]),
  layer(['src/sensor/**/*.ts'], server),
  layer(['src/replay/**/*.ts'], server),
  layer(['src/eval/**/*.ts'], ['api', 'ingest', 'sensor', 'sim', 'cli']),
  layer(
    ['src/bus/**/*.ts', 'src/store/**/*.ts', 'src/intel/**/*.ts'],
    ['sensor', 'ingest', 'pipeline', 'publish', 'api', 'cli', 'sim'],
  ),
  layer(['src/pipeline/**/*.ts'], ['sensor', 'ingest', 'publish', 'api', 'cli', 'sim']),
  layer(['src/ingest/**/*.ts', 'src/publish/**/*.ts'], ['sensor', 'api', 'cli', 'sim']),
  layer(['src/api/**/*.ts'], ['sensor', 'cli', 'sim']),
  layer(['web/src/**/*.ts', 'web/src/**/*.tsx'], ['core/errors', 'sensor', ...server]),
);
