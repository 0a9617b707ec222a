// Driving the VS Code workbench in Chromium with playwright-core: the few interactions the end-to-end
// scenarios need, each waiting on a visible condition rather than on time.

import { chromium } from 'playwright-core';

const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

export async function openBrowser(profileDir, executablePath = process.env.CHROMIUM ?? '/usr/bin/chromium') {
  const context = await chromium.launchPersistentContext(profileDir, {
    executablePath,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1400, height: 900 },
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const console = [];
  page.on('console', (m) => console.push(`[${m.type()}] ${m.text()}`));
  page.on('pageerror', (e) => console.push(`[pageerror] ${e.message}`));
  return { context, page, console };
}

export class Workbench {
  constructor(page) {
    this.page = page;
  }

  async open(url, folder) {
    await this.page.goto(`${url}?folder=${encodeURIComponent(folder)}`, { waitUntil: 'domcontentloaded', timeout: 60_000 });
    await this.page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 60_000 });
  }

  /** An explorer row by its exact label. */
  explorerRow(label) {
    return this.page
      .locator('.explorer-folders-view .monaco-list-row')
      .filter({ has: this.page.locator('.label-name', { hasText: new RegExp(`^${escape(label)}$`) }) })
      .first();
  }

  /** Clicks a collapsed folder until its child is listed. */
  async expandFolder(folder, child) {
    const row = this.explorerRow(folder);
    await row.waitFor({ state: 'visible', timeout: 60_000 });
    if ((await row.getAttribute('aria-expanded')) !== 'true') await row.click();
    await this.explorerRow(child).waitFor({ state: 'visible', timeout: 30_000 });
  }

  /** A status bar entry showing text. */
  statusItem(text) {
    return this.page.locator('.statusbar-item', { hasText: text }).first();
  }

  /**
   * Right-clicks an explorer row and clicks a context-menu entry. Menu contributions of a just-activated
   * extension can lag the workbench, so a menu without the entry is closed and opened again (bounded).
   */
  async explorerContextCommand(label, entry, { timeoutMs = 30_000, beforeClick } = {}) {
    const deadline = Date.now() + timeoutMs;
    const item = this.page.locator('.context-view .monaco-menu .action-item', { hasText: entry }).first();
    while (Date.now() < deadline) {
      await this.explorerRow(label).click({ button: 'right' });
      await this.page.locator('.context-view .monaco-menu').first().waitFor({ state: 'visible', timeout: 10_000 });
      if (await item.isVisible()) {
        // Hovering waits for the menu's fade-in to settle (and highlights the entry in the screenshot).
        await item.hover();
        if (beforeClick) await beforeClick();
        await item.click();
        return;
      }
      await this.page.keyboard.press('Escape');
      await this.page.locator('.context-view .monaco-menu').first().waitFor({ state: 'hidden', timeout: 5_000 });
    }
    throw new Error(`the context menu of ${label} never offered "${entry}"`);
  }

  /** Whether the context menu of an explorer row offers an entry (the menu is closed again). */
  async explorerContextOffers(label, entry) {
    await this.explorerRow(label).click({ button: 'right' });
    const menu = this.page.locator('.context-view .monaco-menu').first();
    await menu.waitFor({ state: 'visible', timeout: 10_000 });
    // The menu is built at once; its first entry being visible means all of them are there.
    await menu.locator('.action-item').first().waitFor({ state: 'visible', timeout: 10_000 });
    const offered = await menu.locator('.action-item', { hasText: entry }).count();
    await this.page.keyboard.press('Escape');
    await menu.waitFor({ state: 'hidden', timeout: 5_000 });
    return offered > 0;
  }

  /** Clicks a button (e.g. Cancel) of the toast whose message matches. */
  async clickNotificationButton(text, button) {
    const toast = this.page.locator('.notifications-toasts .notification-toast', { hasText: text }).first();
    await toast.locator('.monaco-button', { hasText: button }).first().click();
  }

  /** A notification toast whose message matches; waits until it is shown (and fully faded in). */
  async notification(text, timeoutMs = 60_000) {
    const toast = this.page.locator('.notifications-toasts .notification-toast', { hasText: text }).first();
    await toast.waitFor({ state: 'visible', timeout: timeoutMs });
    await this.page
      .locator('.notifications-toasts .notification-toast.notification-fade-in-done', { hasText: text })
      .first()
      .waitFor({ state: 'visible', timeout: 10_000 })
      .catch(() => undefined);
    return (await toast.locator('.notification-list-item-message').first().innerText()).trim();
  }

  async screenshot(file) {
    await this.page.screenshot({ path: file });
  }
}

function escape(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
