/**
 * Debian's Chromium, driven by playwright-core (which never downloads a browser of its own), in a
 * fresh profile with everything that would reach the network turned off.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

/** Why browser tests cannot run here, or undefined when they can (CI installs chromium). */
export const NO_BROWSER = fs.existsSync(CHROMIUM) ? undefined : `${CHROMIUM} is absent (apt-get install chromium; .ci/run installs it)`;

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

export async function launchChromium(viewport = { width: 1280, height: 900 }): Promise<Browser> {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'fwmatrix-chromium-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: ARGS, viewport });
  return {
    context,
    async close() {
      await context.close();
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}

/**
 * Runs `fn` (a function's source, evaluated in the page) on `arg`. The tests' TypeScript has no
 * DOM types, so code for the page is written as text.
 */
export function inPage<T>(page: Page, fn: string, arg: unknown = null): Promise<T> {
  return page.evaluate(`(${fn})(${JSON.stringify(arg)})`) as Promise<T>;
}
