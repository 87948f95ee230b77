// Headless Chromium (Debian's /usr/bin/chromium) driven by playwright-core in a throwaway profile,
// for the tests that check what a real browser does. It takes the caller's `chromium` launcher, so
// this folder needs no playwright-core of its own; close() also removes the profile.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Quiet, sandbox-free headless flags: no first-run page, no background traffic to Google. */
const BASE_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

interface LaunchOptions {
  executablePath: string;
  headless: boolean;
  ignoreHTTPSErrors?: boolean;
  args: string[];
}

/** What this needs of playwright-core's `chromium`. */
export interface PersistentLauncher<Context> {
  launchPersistentContext(userDataDir: string, options: LaunchOptions): Promise<Context>;
}

export interface HeadlessChromium<Context> {
  readonly context: Context;
  /** Closes the browser and removes its profile. */
  close(): Promise<void>;
}

export async function launchChromium<Context extends { close(): Promise<void> }>(
  chromium: PersistentLauncher<Context>,
  options: { args?: string[]; ignoreHTTPSErrors?: boolean } = {},
): Promise<HeadlessChromium<Context>> {
  const userDataDir = mkdtempSync(join(tmpdir(), "fasterapi-chromium-"));
  try {
    const context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: "/usr/bin/chromium",
      headless: true,
      ...(options.ignoreHTTPSErrors === undefined ? {} : { ignoreHTTPSErrors: options.ignoreHTTPSErrors }),
      args: [...BASE_ARGS, ...(options.args ?? [])],
    });
    return {
      context,
      async close() {
        try {
          await context.close();
        } finally {
          rmSync(userDataDir, { recursive: true, force: true });
        }
      },
    };
  } catch (error) {
    rmSync(userDataDir, { recursive: true, force: true });
    throw error;
  }
}
