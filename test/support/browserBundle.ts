/**
 * A page in headless Chromium with a webview-side bundle loaded, for the tests and measurements
 * that need a real browser DOM (DOMPurify, layout, paint) without VS Code around it.
 */
import * as esbuild from 'esbuild';
import type { Browser, Page } from 'playwright-core';
import { chromium } from 'playwright-core';
import { chromiumArgs, chromiumPath } from './codeServer';

/** Bundles `entry` for the browser (as the webview bundle is built) and returns the script text. */
export async function bundleForBrowser(entry: string, absWorkingDir?: string): Promise<string> {
  const result = await esbuild.build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    logLevel: 'warning',
    ...(absWorkingDir ? { absWorkingDir } : {}),
  });
  return result.outputFiles[0].text;
}

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath(), args: chromiumArgs });
}

/** A blank page of `width`×`height` CSS pixels with `styles` and then `script` loaded. */
export async function openPage(browser: Browser, script: string, options: { styles?: string[]; width?: number; height?: number } = {}): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: options.width ?? 420, height: options.height ?? 800 } });
  await page.setContent('<!DOCTYPE html><html lang="en"><head><meta charset="UTF-8"></head><body><div id="app"></div></body></html>');
  for (const css of options.styles ?? []) await page.addStyleTag({ content: css });
  await page.addScriptTag({ content: script });
  return page;
}
