// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// The dependency rule of ARCHITECTURE.md: core imports only core (and the typed message catalogues);
// app imports core; an adapter imports app and core, never another adapter. Only main.ts and the CLI
// entry wire everything together.
const frameworks = [
  'fastify', 'fastify-*', '@fastify/*', 'kysely', 'kysely/*', 'better-sqlite3', 'pg', 'pino', 'prom-client',
  'commander', 'cli-progress', 'jose', '@nats-io/*', 'node:fs', 'node:fs/*', 'fs', 'node:http', 'http',
  'node:net', 'net', 'node:child_process', 'child_process', 'node:os', 'os', 'undici', 'react', 'react-dom',
];
const adapterDirs = ['**/adapters/**', '../adapters/*', '../../adapters/*', '../../../adapters/*'];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'data/**', 'coverage/**', 'artifacts/**', 'src/adapters/web/ui/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ['*.js', 'bin/*.js'] }, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
    },
  },
  {
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: frameworks, message: 'core is pure: no I/O, drivers or frameworks (ARCHITECTURE.md dependency rule).' },
          { group: [...adapterDirs, '**/app/**', '../app/*', '../../app/*', '**/main', '**/main.js', '**/config', '**/config.js'], message: 'core imports only core (ARCHITECTURE.md dependency rule).' },
        ],
      }],
      'no-restricted-syntax': ['error',
        { selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']", message: 'Time is injected: use the Clock port, never Date.now() in core.' },
        { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'Time is injected: use the Clock port, never new Date() in core.' },
      ],
    },
  },
  {
    files: ['src/app/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{ group: [...adapterDirs, '**/main', '**/main.js'], message: 'app imports core only, never an adapter (ARCHITECTURE.md).' }],
      }],
    },
  },
  ...['store', 'http', 'notify', 'workers', 'web'].map((name) => ({
    files: [`src/adapters/${name}/**/*.ts`],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{
          group: ['store', 'http', 'notify', 'workers', 'cli', 'web'].filter((o) => o !== name).flatMap((o) => [`../${o}/*`, `../../${o}/*`, `**/adapters/${o}/**`]),
          message: 'an adapter never imports another adapter; wire them in main.ts (ARCHITECTURE.md).',
        }],
      }],
    },
  })),
  {
    files: ['test/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  { files: ['**/*.js'], ...tseslint.configs.disableTypeChecked },
  { files: ['bin/*.js'], languageOptions: { globals: { URL: 'readonly', console: 'readonly', process: 'readonly' } } },
);
