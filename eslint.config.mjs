// The layering rules live here, not in a wiki; ARCHITECTURE.md draws the same map in words.
// Each zone (a folder or a file) says which places in the repository it may import, read from the
// path an import resolves to (`layers/zones`, below), and which Node built-ins and vscode it may use
// (typescript-eslint's no-restricted-imports, by package name). Every zone has a fixture that must
// fail in test/unit/lint/layering.test.ts.
import * as path from 'node:path';
import { builtinModules } from 'node:module';
import { fileURLToPath } from 'node:url';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const PACKAGES = '@typescript-eslint/no-restricted-imports';
const ZONES = 'layers/zones';
/** The repository root: the folder of this file. */
const ROOT = path.dirname(fileURLToPath(import.meta.url));

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

/** Places shipped code never imports. */
const OUTSIDE_SRC = ['test', 'scripts', 'bench', 'webview'];

/** A repository path with `/` separators. */
const repoPath = (absolute) => path.relative(ROOT, absolute).split(path.sep).join('/');
/** Whether `rel` is `place` (a folder, or a file without its extension) or lies under it. */
const within = (rel, place) => rel === place || rel.startsWith(`${place}/`);

/**
 * `layers/zones`: every relative import (`import`, `export … from`, `import()`, `require()`,
 * `import x = require()`, `typeof import()`) is resolved to the repository path it names, and that
 * path must lie in one of the places the zone `may` import, and match none of its `except`
 * patterns. Resolving the path, rather than reading the specifier's text, makes a zone hold at any
 * folder depth and for any spelling (`../../src/host/…` from src/core is still the host). Packages
 * are not places: their rules are PACKAGES'. (eslint-plugin-import's no-restricted-paths reads only
 * imports that a resolver finds on disk, with a TypeScript resolver besides, and its zones list what
 * is forbidden; the map lists what each zone may import.)
 */
const zonesRule = {
  meta: {
    type: 'problem',
    docs: { description: 'Each zone imports only the places of the repository the layer map allows it, by the path an import resolves to.' },
    schema: [{
      type: 'object',
      properties: {
        may: { type: 'array', items: { type: 'string' } },
        except: { type: 'object', properties: { pattern: { type: 'string' }, why: { type: 'string' } }, required: ['pattern', 'why'], additionalProperties: false },
        why: { type: 'string' },
      },
      required: ['may', 'why'],
      additionalProperties: false,
    }],
  },
  create(context) {
    const { may, except, why } = context.options[0];
    const from = repoPath(context.filename);
    const shipped = within(from, 'src');
    const check = (source) => {
      if (source?.type !== 'Literal' || typeof source.value !== 'string' || !/^\.\.?(\/|$)/.test(source.value)) return;
      const rel = repoPath(path.resolve(path.dirname(context.filename), source.value)).replace(/\.(ts|mts|cts|js|mjs|cjs)$/, '');
      if (rel.startsWith('../')) return;
      if (except && new RegExp(except.pattern).test(rel)) {
        context.report({ node: source, message: `${except.why} (${rel}).` });
      } else if (!may.some((place) => within(rel, place))) {
        const outside = shipped && OUTSIDE_SRC.some((place) => within(rel, place)) ? '; shipped code never imports tests, scripts, benchmarks or the webview bundle' : '';
        context.report({ node: source, message: `${why} (${rel})${outside}.` });
      }
    };
    return {
      ImportDeclaration: (node) => check(node.source),
      ExportNamedDeclaration: (node) => check(node.source),
      ExportAllDeclaration: (node) => check(node.source),
      ImportExpression: (node) => check(node.source),
      TSExternalModuleReference: (node) => check(node.expression),
      TSImportType: (node) => check(node.argument?.type === 'TSLiteralType' ? node.argument.literal : node.argument),
      CallExpression: (node) => {
        if (node.callee.type === 'Identifier' && node.callee.name === 'require') check(node.arguments[0]);
      },
    };
  },
};

/** The host-webview protocols in src/common: the host's and the webview's business, not the domain's. */
const PROTOCOLS = '^src/common/[A-Za-z]*[pP]rotocol$';

/**
 * The zones, widest first: a file takes the rules of the last zone whose `files` match it, so a
 * room of a layer narrows the layer's rule. `may` lists the places it may import (folders, or files
 * without extension); `except`, a pattern of resolved paths it may not import though `may` holds
 * them; `packages`, typescript-eslint's no-restricted-imports `paths` (vscode, Node built-ins).
 */
const LAYERS = [
  {
    files: ['src/common/**/*.ts'],
    may: ['src/common'],
    packages: [NO_VSCODE, ...nodeBuiltinsExcept([], 'src/common')],
    why: 'src/common is shared by both bundles (the model, the run events and their fold, the host-webview protocols): it imports only its own files and npm packages, nothing of Node or VS Code',
  },
  {
    files: ['src/core/**/*.ts'],
    may: ['src/core', 'src/common', 'schemas'],
    except: PROTOCOLS,
    packages: [VSCODE_TYPES_ONLY, ...nodeBuiltinsExcept(CORE_NODE, 'src/core')],
    why: 'src/core is the bottom layer: it imports nothing from the other folders but the shared model of src/common (file access goes through the FileSystem port)',
  },
  {
    // The port's Node implementation is the one place in core that touches the disk.
    files: ['src/core/workspace/fileSystem.ts'],
    packages: [VSCODE_TYPES_ONLY, ...nodeBuiltinsExcept([...CORE_NODE, 'fs'], 'src/core/workspace/fileSystem.ts')],
  },
  {
    files: ['src/core/workspace/**/*.ts'],
    may: ['src/core/workspace', 'src/common'],
    except: PROTOCOLS,
    why: 'src/core/workspace is the bottom room of core (the FileSystem port, confinement, walks, globs, reading text): every room above reads the workspace through it, and it imports no other room of core',
  },
  {
    files: ['src/core/text/**/*.ts'],
    may: ['src/core/text', 'src/common'],
    except: PROTOCOLS,
    why: 'src/core/text holds text helpers any room may use (escape sequences, passages, linear-time patterns, JSON depth): it imports no other room of core',
  },
  {
    files: ['src/core/assistants/**/*.ts'],
    may: ['src/core/assistants', 'src/core/workspace', 'src/core/text', 'src/core/errors', 'src/common', 'schemas'],
    except: PROTOCOLS,
    why: 'src/core/assistants keeps assistants (the file, its checks, the stores): the function tools and MCP build on it, so it imports neither (the names and syntax its checks need are its own), nor any room that runs or chats',
  },
  {
    files: ['src/core/threads/**/*.ts'],
    may: ['src/core/threads', 'src/core/workspace', 'src/core/text', 'src/core/errors', 'src/core/files', 'src/common'],
    except: PROTOCOLS,
    why: 'src/core/threads keeps threads on disk (the store, the file, export, drafts, kept files): it reads the workspace and text helpers, and drives no chat, run or backend (what drives a ChatSession lives in src/core/chat)',
  },
  {
    files: ['src/core/backend.ts', 'src/core/runAction.ts', 'src/core/toolHandler.ts', 'src/core/files.ts'],
    may: ['src/core/backend', 'src/core/runAction', 'src/core/toolHandler', 'src/core/files', 'src/common'],
    except: PROTOCOLS,
    why: 'The Backend port and its vocabulary (run actions, the tool handler, files) sit below every room of core that drives or answers a run: they import only one another and the shared model of src/common',
  },
  {
    files: ['src/backends/**/*.ts'],
    may: ['src/backends', 'src/core', 'src/common'],
    except: PROTOCOLS,
    packages: [VSCODE_TYPES_ONLY, ...nodeBuiltinsExcept(CORE_NODE, 'src/backends')],
    why: 'src/backends may import src/core, the shared model of src/common and the openai SDK only (the network goes through the SDK)',
  },
  {
    files: ['src/host/**/*.ts'],
    may: ['src/host', 'src/core', 'src/backends', 'src/common'],
    why: 'src/host never imports the webview: they talk through src/common/protocol.ts messages',
  },
  {
    files: ['src/host/platform/**/*.ts'],
    may: ['src/host/platform', 'src/core', 'src/backends', 'src/common'],
    why: 'src/host/platform is the bottom room of the host (settings, the API key, lifecycle, webview pages, editor state): every room of the host uses it, and it imports none of them',
  },
  {
    // src/extension.ts wires the host together: anything under src/, nothing outside it.
    files: ['src/extension.ts'],
    may: ['src'],
    why: 'src/extension.ts wires the host from src/ alone',
  },
  {
    // src/cli.ts, the headless test runner, wires core and backends like activate(), without VS Code.
    files: ['src/cli.ts'],
    may: ['src/core', 'src/backends', 'src/common'],
    except: PROTOCOLS,
    packages: [NO_VSCODE],
    why: 'The CLI runs without VS Code: src/core, src/backends and the shared model of src/common only',
  },
  {
    files: ['webview/**/*.ts'],
    may: ['webview', 'src/common'],
    packages: [NO_VSCODE, ...nodeBuiltinsExcept([], 'The webview (a browser bundle)')],
    why: 'The webview never imports host code; from src/ it imports only src/common, which both bundles share',
  },
];

const layerBlocks = [{ plugins: { layers: { rules: { zones: zonesRule } } } }, ...LAYERS.map(({ files, may, except, packages, why }) => ({
  files,
  rules: {
    ...(may ? { [ZONES]: ['error', { may, why, ...(except ? { except: { pattern: except, why: `${why}; the host-webview protocols are the host's and the webview's` } } : {}) }] } : {}),
    ...(packages ? { [PACKAGES]: ['error', { paths: packages }] } : {}),
  },
}))];

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'node_modules/**', '.vscode-test/**', 'tools/**'] },
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
