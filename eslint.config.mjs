// The layering rules live here, not in a wiki; ARCHITECTURE.md draws the same map in words.
// Each folder says which folders it may import (and how: at run time, or types only), and which Node
// built-ins it may use. Every rule has a fixture that must fail in test/unit/lint/layering.test.ts.
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const RULE = '@typescript-eslint/no-restricted-imports';

/** Bans every Node built-in except `allowed` (names without the `node:` prefix). */
function nodeBuiltinsExcept(allowed, where) {
  return builtinModules
    .filter((name) => !name.startsWith('_') && !allowed.some((a) => name === a || name.startsWith(`${a}/`)))
    .flatMap((name) => [name, `node:${name}`])
    .map((name) => ({ name, message: `${where} may use only these Node built-ins: ${allowed.join(', ') || 'none'}.` }));
}

const VSCODE_TYPES_ONLY = { name: 'vscode', allowTypeImports: true, message: 'This folder runs outside VS Code: import vscode types only (import type).' };
const NO_VSCODE = { name: 'vscode', message: 'This folder has no vscode module.' };
const CORE_NODE = ['path', 'crypto', 'util', 'events', 'buffer'];

/**
 * The layers under src/, bottom first. `may` lists the sibling folders (under src/) a layer may
 * import; everything else under src/, and test/, scripts/, bench/ and webview/, is out of bounds.
 * `types: 'all'` marks a types-only layer (src/common): it imports nothing at run time, and names
 * types only from its own files and TYPE_ONLY_FOR_COMMON.
 */
const SRC_LAYERS = [
  { folder: 'core', may: [], types: [], vscode: VSCODE_TYPES_ONLY, node: CORE_NODE, why: 'src/core is the bottom layer: it imports nothing from the other folders (file access goes through the FileSystem port)' },
  { folder: 'common', may: [], types: 'all', vscode: undefined, node: undefined, why: 'src/common is the host-webview protocol: types only, named from src/core/model and src/core/runs/events' },
  { folder: 'backends', may: ['core'], types: [], vscode: VSCODE_TYPES_ONLY, node: CORE_NODE, why: 'src/backends may import src/core and the openai SDK only (the network goes through the SDK)' },
  { folder: 'host', may: ['core', 'backends', 'common'], types: [], vscode: undefined, node: builtinModules, why: 'src/host never imports the webview: they talk through src/common/protocol.ts messages' },
];
/** What src/common may name types from, besides its own files. */
const TYPE_ONLY_FOR_COMMON = 'core/(model|runs/events)';
const ALL_SRC = ['core', 'common', 'backends', 'host', 'extension'];
const OUTSIDE_SRC = ['test', 'scripts', 'bench', 'webview'];

/**
 * One config block per folder depth, so that `../` is read exactly: from src/<layer>/a/b.ts, two
 * `../` reach src/ and three reach the repository root (a subfolder named like a layer is no layer).
 */
function srcLayerBlocks({ folder, may, types, vscode, node, why }) {
  const paths = [...(vscode ? [vscode] : []), ...(node ? nodeBuiltinsExcept(node, `src/${folder}`) : [])];
  const forbidden = ALL_SRC.filter((name) => name !== folder && !may.includes(name)).join('|');
  return [1, 2, 3, 4].map((depth) => {
    const up = `(\\.\\./){${depth}}`;
    // typescript-eslint lets a type import through as soon as one allowTypeImports pattern matches
    // it, so the type-only targets and the forbidden ones are kept disjoint.
    const typeOnly = types === 'all' ? `\\./|${up}(${TYPE_ONLY_FOR_COMMON})$` : '';
    const patterns = types === 'all'
      ? [
        { regex: `^(?!${typeOnly})`, message: `${why}.` },
        { regex: `^(${typeOnly})`, allowTypeImports: true, message: `${why}: import type only.` },
      ]
      : [
        { regex: `^${up}(${forbidden})(/|$)`, message: `${why}.` },
        { regex: `^${up}\\.\\./(${OUTSIDE_SRC.join('|')})(/|$)`, message: `${why}; shipped code never imports tests, scripts, benchmarks or the webview bundle.` },
      ];
    return { files: [`src/${folder}/${'*/'.repeat(depth - 1)}*.ts`], rules: { [RULE]: ['error', { paths, patterns }] } };
  });
}

const layerBlocks = [
  ...SRC_LAYERS.flatMap(srcLayerBlocks),
  {
    // src/extension.ts wires the host together: anything under src/, nothing outside it.
    files: ['src/extension.ts'],
    rules: { [RULE]: ['error', { patterns: [{ regex: `^\\.\\./(${OUTSIDE_SRC.join('|')})(/|$)`, message: 'Shipped code never imports tests, scripts, benchmarks or the webview bundle.' }] }] },
  },
  {
    // src/cli.ts, the headless test runner, wires core and backends like activate(), without VS Code.
    files: ['src/cli.ts'],
    rules: { [RULE]: ['error', { paths: [NO_VSCODE], patterns: [{ regex: `^\\.\\./(${OUTSIDE_SRC.join('|')})(/|$)|^\\./(host|common)(/|$)`, message: 'The CLI runs without VS Code: src/core and src/backends only; shipped code never imports tests, scripts, benchmarks or the webview bundle.' }] }] },
  },
  {
    // The port's Node implementation is the one place in core that touches the disk.
    files: ['src/core/workspace/fileSystem.ts'],
    rules: { [RULE]: ['error', { paths: [VSCODE_TYPES_ONLY, ...nodeBuiltinsExcept([...CORE_NODE, 'fs'], 'src/core/workspace/fileSystem.ts')], patterns: [{ regex: `^(\\.\\./){2}(${ALL_SRC.filter((n) => n !== 'core').join('|')})(/|$)|^(\\.\\./){3}(${OUTSIDE_SRC.join('|')})(/|$)`, message: 'src/core is the bottom layer.' }] }] },
  },
  {
    files: ['webview/**/*.ts'],
    rules: {
      [RULE]: ['error', {
        paths: [NO_VSCODE, ...nodeBuiltinsExcept([], 'The webview (a browser bundle)')],
        patterns: [
          { regex: '^(\\.\\./)+src/(?!common/|core/(model|runs/events)$)', message: 'The webview never imports host code; it may name types from src/common, src/core/model and src/core/runs/events.' },
          { regex: '^(\\.\\./)+src/(common/|core/(model|runs/events)$)', allowTypeImports: true, message: 'The webview imports only types from src/ (import type); its runtime code stays in its own bundle.' },
        ],
      }],
    },
  },
];

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'node_modules/**', '.vscode-test/**', 'tools/**', 'test/lint-fixtures/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { console: 'readonly', process: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', URL: 'readonly' } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'separate-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': ['error', { selector: 'ExportDefaultDeclaration', message: 'Use named exports.' }],
    },
  },
  ...layerBlocks,
  {
    // ESLint itself wants a default export from its config file.
    files: ['eslint.config.mjs'],
    rules: { 'no-restricted-syntax': 'off' },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', module: 'writable', process: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['**/*.mjs', 'scripts/**', 'esbuild.mjs'],
    languageOptions: { globals: { console: 'readonly', process: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', URL: 'readonly', fetch: 'readonly' } },
  },
);
