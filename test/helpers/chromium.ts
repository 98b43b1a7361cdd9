import { spawnSync } from 'node:child_process';
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

/**
 * A screenshot for the README shows Chinese names: without a CJK font Chromium draws tofu boxes.
 * Throws, naming the package, when fontconfig knows none (the tests themselves do not need one).
 */
export function requireCjkFont(): void {
  const listed = spawnSync('fc-list', [':lang=zh', 'family'], { encoding: 'utf8' });
  if (listed.status !== 0 || listed.stdout.trim() === '') {
    throw new Error('no CJK font for the README screenshots: apt-get install -y fonts-noto-cjk');
  }
}
