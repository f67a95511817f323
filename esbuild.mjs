// Bundles from one base: the extension host (Node, CommonJS, `vscode` external), the headless
// test-assistants CLI (Node) and the chat webview (browser). `--watch` rebuilds on change; `--production` minifies and drops source maps.
// `--tests` also bundles the integration suite that runs inside VS Code.
import * as fs from 'node:fs';
import * as esbuild from 'esbuild';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');
const tests = process.argv.includes('--tests');

/** @type {import('esbuild').BuildOptions} */
const base = {
  bundle: true,
  minify: production,
  sourcemap: production ? false : 'linked',
  sourcesContent: false,
  logLevel: 'warning',
  target: 'es2022',
  legalComments: 'none',
  // jsonc-parser's main file is a UMD module that requires its parts at run time, which a bundle
  // cannot follow; its ES module build is the same code, bundled whole.
  alias: { 'jsonc-parser': './node_modules/jsonc-parser/lib/esm/main.js' },
};

/** @type {import('esbuild').BuildOptions[]} */
const builds = [
  {
    ...base,
    entryPoints: ['src/extension.ts'],
    outfile: 'dist/extension.js',
    platform: 'node',
    format: 'cjs',
    external: ['vscode'],
  },
  {
    ...base,
    entryPoints: ['src/cli.ts'],
    outfile: 'dist/cli.js',
    platform: 'node',
    format: 'cjs',
    banner: { js: '#!/usr/bin/env node' },
  },
  {
    ...base,
    entryPoints: ['webview/main.ts'],
    outfile: 'dist/webview.js',
    platform: 'browser',
    format: 'iife',
  },
  {
    ...base,
    entryPoints: ['webview/compare/main.ts'],
    outfile: 'dist/compare.js',
    platform: 'browser',
    format: 'iife',
  },
  {
    ...base,
    entryPoints: ['webview/assistantEditor/main.ts'],
    outfile: 'dist/assistantEditor.js',
    platform: 'browser',
    format: 'iife',
  },
];

if (tests) {
  builds.push({
    ...base,
    sourcemap: 'inline',
    entryPoints: ['test/integration/index.ts'],
    outfile: 'out/test/integration/index.js',
    platform: 'node',
    format: 'cjs',
    external: ['vscode', 'mocha'],
  });
}

// The codicon font the webview's components use, served from the bundle folder like everything else.
fs.mkdirSync('dist/codicons', { recursive: true });
for (const file of ['codicon.css', 'codicon.ttf']) fs.copyFileSync(`node_modules/@vscode/codicons/dist/${file}`, `dist/codicons/${file}`);
// KaTeX's stylesheet and fonts, for the math in answers. Only the WOFF2 fonts: the stylesheet names
// them first, and the webview's browser takes them.
fs.mkdirSync('dist/katex/fonts', { recursive: true });
fs.copyFileSync('node_modules/katex/dist/katex.min.css', 'dist/katex/katex.min.css');
for (const file of fs.readdirSync('node_modules/katex/dist/fonts')) {
  if (file.endsWith('.woff2')) fs.copyFileSync(`node_modules/katex/dist/fonts/${file}`, `dist/katex/fonts/${file}`);
}

if (watch) {
  const contexts = await Promise.all(builds.map((options) => esbuild.context(options)));
  await Promise.all(contexts.map((context) => context.watch()));
  console.log('esbuild: watching for changes');
} else {
  const started = Date.now();
  await Promise.all(builds.map((options) => esbuild.build(options)));
  console.log(`esbuild: built ${builds.length} bundles in ${Date.now() - started} ms${production ? ' (production)' : ''}`);
}
