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
 */
const SRC_LAYERS = [
  { folder: 'common', may: [], vscode: NO_VSCODE, node: [], why: 'src/common is shared by both bundles (the model, the run events and their fold, the host-webview protocols): it imports only its own files and npm packages, nothing of Node or VS Code' },
  { folder: 'core', may: ['common'], vscode: VSCODE_TYPES_ONLY, node: CORE_NODE, why: 'src/core is the bottom layer: it imports nothing from the other folders but the shared model of src/common (file access goes through the FileSystem port)' },
  { folder: 'backends', may: ['core', 'common'], vscode: VSCODE_TYPES_ONLY, node: CORE_NODE, why: 'src/backends may import src/core, the shared model of src/common and the openai SDK only (the network goes through the SDK)' },
  { folder: 'host', may: ['core', 'backends', 'common'], vscode: undefined, node: builtinModules, why: 'src/host never imports the webview: they talk through src/common/protocol.ts messages' },
];
/** The host-webview protocols in src/common: the host's and the webview's business, not the domain's. */
const PROTOCOLS = 'common/[A-Za-z]*[pP]rotocol';
/** The layers below the host: they may use src/common's model, not its protocols. */
const BELOW_HOST = ['core', 'backends'];
const ALL_SRC = ['core', 'common', 'backends', 'host', 'extension'];
const OUTSIDE_SRC = ['test', 'scripts', 'bench', 'webview'];

/**
 * One config block per folder depth, so that `../` is read exactly: from src/<layer>/a/b.ts, two
 * `../` reach src/ and three reach the repository root (a subfolder named like a layer is no layer).
 */
function srcLayerBlocks({ folder, may, vscode, node, why }) {
  const paths = [...(vscode ? [vscode] : []), ...(node ? nodeBuiltinsExcept(node, `src/${folder}`) : [])];
  const forbidden = ALL_SRC.filter((name) => name !== folder && !may.includes(name)).join('|');
  return [1, 2, 3, 4].map((depth) => {
    const up = `(\\.\\./){${depth}}`;
    const patterns = [
      { regex: `^${up}(${forbidden})(/|$)`, message: `${why}.` },
      { regex: `^${up}\\.\\./(${OUTSIDE_SRC.join('|')})(/|$)`, message: `${why}; shipped code never imports tests, scripts, benchmarks or the webview bundle.` },
      ...(BELOW_HOST.includes(folder) ? [{ regex: `^${up}${PROTOCOLS}$`, message: `${why}; the host-webview protocols are the host's and the webview's.` }] : []),
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
    rules: { [RULE]: ['error', { paths: [NO_VSCODE], patterns: [{ regex: `^\\.\\./(${OUTSIDE_SRC.join('|')})(/|$)|^\\./(host|${PROTOCOLS})(/|$)`, message: 'The CLI runs without VS Code: src/core, src/backends and the shared model of src/common only; shipped code never imports tests, scripts, benchmarks or the webview bundle.' }] }] },
  },
  {
    // The port's Node implementation is the one place in core that touches the disk.
    files: ['src/core/workspace/fileSystem.ts'],
    rules: { [RULE]: ['error', { paths: [VSCODE_TYPES_ONLY, ...nodeBuiltinsExcept([...CORE_NODE, 'fs'], 'src/core/workspace/fileSystem.ts')], patterns: [{ regex: `^(\\.\\./){2}(${ALL_SRC.filter((n) => n !== 'core' && n !== 'common').join('|')})(/|$)|^(\\.\\./){2}${PROTOCOLS}$|^(\\.\\./){3}(${OUTSIDE_SRC.join('|')})(/|$)`, message: 'src/core is the bottom layer: src/common\'s model only.' }] }] },
  },
  {
    files: ['webview/**/*.ts'],
    rules: {
      [RULE]: ['error', {
        paths: [NO_VSCODE, ...nodeBuiltinsExcept([], 'The webview (a browser bundle)')],
        patterns: [
          { regex: '^(\\.\\./)+src/(?!common/)', message: 'The webview never imports host code; from src/ it imports only src/common, which both bundles share.' },
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
