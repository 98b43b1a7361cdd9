import { existsSync } from 'node:fs';
import { type Browser, chromium, type Page } from 'playwright-core';

const SYSTEM_CHROMIUM = '/usr/bin/chromium';

/** The flags every browser test runs with: headless, no sandbox (containers), no background traffic. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Which Chromium the browser tests drive: `CHROMIUM_PATH`, else Debian's /usr/bin/chromium
 * (playwright-core downloads no browser). `skip` is true only when neither exists and we are not
 * under `CI=true`: there a missing browser must fail the run, not hide it.
 */
export function findChromium(suite: string): { path: string; skip: boolean } {
  const configured = process.env['CHROMIUM_PATH'];
  const path = configured && configured.length > 0 ? configured : SYSTEM_CHROMIUM;
  const available = existsSync(path);
  const required = process.env['CI'] === 'true';
  if (!available && !required) {
    console.warn(
      `\n!!! SKIPPING ${suite}: no Chromium at ${path} (set CHROMIUM_PATH or apt-get install -y chromium; under CI=true this fails instead) !!!\n`,
    );
  }
  return { path, skip: !available && !required };
}

/** Launches it; under CI=true a missing binary fails here with its path named. */
export async function launchChromium(path: string): Promise<Browser> {
  if (!existsSync(path)) {
    throw new Error(`Chromium is required under CI=true but ${path} does not exist (set CHROMIUM_PATH)`);
  }
  return chromium.launch({ executablePath: path, args: CHROMIUM_ARGS });
}

/** Collects the page's uncaught errors and console errors into `into`, for a final `toEqual([])`. */
export function collectPageErrors(page: Page, into: string[]): void {
  page.on('pageerror', (e) => into.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') into.push(m.text());
  });
}
