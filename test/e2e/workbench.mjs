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
      // Rows move when files appear (a load creates .sluice/ and the warehouse): the menu must be the row's.
      const target = await this.page.locator('.explorer-folders-view .monaco-list-row.focused .label-name').first().innerText().catch(() => '');
      if (target.trim() === label && (await item.isVisible())) {
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

  /** Opens a file from the explorer by its folders and name (each folder expanded in turn). */
  async openFromExplorer(...segments) {
    for (let i = 0; i < segments.length - 1; i++) await this.expandFolder(segments[i], segments[i + 1]);
    const name = segments[segments.length - 1];
    await this.explorerRow(name).click();
    await this.activeTab(name).waitFor({ state: 'visible', timeout: 30_000 });
  }

  /** The active editor tab with this label. */
  activeTab(label) {
    return this.page.locator('.tabs-container .tab.active', { hasText: label }).first();
  }

  /** A line of the active editor showing text. */
  editorLine(text) {
    return this.page.locator('.editor-group-container.active .monaco-editor .view-line', { hasText: text }).first();
  }

  /** The language mode the status bar shows for the active editor, once it shows this text. */
  languageMode(text) {
    return this.page.locator('[id="status.editor.mode"]', { hasText: text }).first();
  }

  /** A CodeLens of the active editor whose title matches. */
  codeLens(text) {
    return this.page.locator('.editor-group-container.active .codelens-decoration', { hasText: text }).first();
  }

  /**
   * Hovers `word` on the editor line showing `lineText` and waits for a hover containing `expect`; returns its
   * text. The mouse is moved off and back if the hover does not come (the editor may still be settling).
   */
  async hoverWord(lineText, word, expect, timeoutMs = 30_000) {
    const line = this.editorLine(lineText);
    await line.waitFor({ state: 'visible', timeout: timeoutMs });
    const hover = this.page.locator('.monaco-hover', { hasText: expect }).first();
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const at = await wordCentre(line, word, lineText);
      await this.page.mouse.move(at.x, at.y + 200);
      await this.page.mouse.move(at.x, at.y);
      try {
        await hover.waitFor({ state: 'visible', timeout: 5_000 });
        return (await hover.innerText()).trim();
      } catch {
        // No hover yet: try again.
      }
    }
    throw new Error(`no hover with "${expect}" over "${word}"`);
  }

  /** Puts the cursor in `word` on the line of the editor `file` showing `lineText` (a click on the word). */
  async clickWord(file, lineText, word) {
    const line = this.page
      .locator('.editor-group-container', { has: this.page.locator('.tabs-container .tab.active', { hasText: file }) })
      .locator('.monaco-editor .view-line', { hasText: lineText })
      .first();
    await line.waitFor({ state: 'visible', timeout: 10_000 });
    const at = await wordCentre(line, word, lineText);
    await this.page.mouse.click(at.x, at.y);
  }

  /** Runs a command from the command palette by its title. */
  async runCommand(title) {
    await this.page.keyboard.press('F1');
    const input = this.page.locator('.quick-input-widget input').first();
    await input.waitFor({ state: 'visible', timeout: 10_000 });
    await input.fill(`>${title}`);
    const entry = this.page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: title }).first();
    await entry.waitFor({ state: 'visible', timeout: 10_000 });
    await entry.click();
  }

  /** Opens a file by name with Quick Open (the palette without its ">" prefix). */
  async quickOpen(name) {
    await this.page.keyboard.press('F1');
    const input = this.page.locator('.quick-input-widget input').first();
    await input.waitFor({ state: 'visible', timeout: 10_000 });
    await input.fill(name);
    const entry = this.page
      .locator('.quick-input-widget .quick-input-list .monaco-list-row', { has: this.page.locator('.label-name', { hasText: new RegExp(`^${escape(name)}$`) }) })
      .first();
    await entry.waitFor({ state: 'visible', timeout: 10_000 });
    await entry.click();
    await this.activeTab(name).waitFor({ state: 'visible', timeout: 30_000 });
  }

  /** Picks an entry of the open quick pick by its exact label. */
  async pickQuickItem(label) {
    const entry = this.page
      .locator('.quick-input-widget .quick-input-list .monaco-list-row', { has: this.page.locator('.label-name', { hasText: new RegExp(`^${escape(label)}$`) }) })
      .first();
    await entry.waitFor({ state: 'visible', timeout: 10_000 });
    await entry.click();
  }

  /** Types text at the end of the active editor's line showing lineText; a suggestion it opens is closed. */
  async typeAtLineEnd(lineText, text) {
    const line = this.editorLine(lineText);
    await line.waitFor({ state: 'visible', timeout: 10_000 });
    await line.click();
    await this.page.keyboard.press('End');
    await this.page.keyboard.type(text);
    await this.editorLine(`${lineText}${text}`).waitFor({ state: 'visible', timeout: 10_000 });
    const suggest = this.page.locator('.editor-group-container.active .suggest-widget.visible');
    if (await suggest.isVisible()) {
      await this.page.keyboard.press('Escape');
      await suggest.waitFor({ state: 'hidden', timeout: 5_000 });
    }
  }

  /** Moves the focus to the first editor group (e.g. back from a panel opened beside it). */
  async focusFirstEditorGroup() {
    await this.runCommand('View: Focus First Editor Group');
    await this.page.locator('.editor-group-container.active .monaco-editor').first().waitFor({ state: 'visible', timeout: 10_000 });
  }

  /**
   * Undoes in the active editor until it is back to what is saved (its tab is no longer dirty): one undo
   * may not take back all that was typed, and one too many would undo the saved text.
   */
  async undoUntilSaved(timeoutMs = 20_000) {
    const dirty = this.page.locator('.tabs-container .tab.active.dirty');
    const deadline = Date.now() + timeoutMs;
    while (await dirty.count()) {
      if (Date.now() > deadline) throw new Error('the editor never got back to its saved text');
      await this.page.keyboard.press('Control+Z');
      await dirty.waitFor({ state: 'detached', timeout: 1_000 }).catch(() => undefined);
    }
  }

  /** Saves the active editor. */
  async save() {
    await this.page.keyboard.press('Control+S');
    await this.page.locator('.tabs-container .tab.active.dirty').waitFor({ state: 'detached', timeout: 10_000 });
  }

  /**
   * The document of the webview whose page has an element matching selector (several webviews may be open;
   * their order in the page is not theirs on screen). Waits until one has it.
   */
  async webviewWith(selector, timeoutMs = 60_000) {
    const deadline = Date.now() + timeoutMs;
    const frames = this.page.locator('iframe.webview.ready');
    while (Date.now() < deadline) {
      const count = await frames.count();
      for (let i = count - 1; i >= 0; i--) {
        const doc = this.page.frameLocator('iframe.webview.ready').nth(i).frameLocator('#active-frame');
        if ((await doc.locator(selector).count().catch(() => 0)) > 0) return doc;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`no webview shows ${selector}`);
  }

  /** The document inside the (only or last) webview: an outer iframe, then the #active-frame inside it. */
  webview() {
    return this.page.frameLocator('iframe.webview.ready').last().frameLocator('#active-frame');
  }

  /** Opens a view container of the activity bar by its label. */
  async openViewContainer(label) {
    const item = this.page.locator(`.activitybar .action-item a[aria-label="${label}"]`).first();
    await item.waitFor({ state: 'visible', timeout: 30_000 });
    if ((await item.getAttribute('aria-expanded')) !== 'true') await item.click();
  }

  /** A row of a tree view pane (by the pane's title) with this exact label. */
  treeRow(pane, label) {
    return this.page
      .locator('.pane', { has: this.page.locator('.pane-header', { hasText: pane }) })
      .locator('.monaco-list-row', { has: this.page.locator('.label-name', { hasText: new RegExp(`^${escape(label)}$`) }) })
      .first();
  }

  /** The pane of a view container with this title. */
  pane(title) {
    return this.page.locator('.pane', { has: this.page.locator('.pane-header .title', { hasText: new RegExp(`^${escape(title)}$`, 'i') }) }).first();
  }

  /** Opens or closes a view's pane by clicking its header (views may start collapsed). */
  async setPaneExpanded(title, expanded) {
    const header = this.pane(title).locator('.pane-header').first();
    await header.waitFor({ state: 'visible', timeout: 30_000 });
    if ((await header.getAttribute('aria-expanded')) !== String(expanded)) await header.click();
    await this.pane(title).locator(`.pane-header[aria-expanded="${expanded}"]`).first().waitFor({ state: 'visible', timeout: 10_000 });
  }

  /** The rows a tree view shows now, in order: label, description, depth and whether expanded. */
  async treeRows(pane) {
    return this.pane(pane)
      .locator('.monaco-list-row')
      .evaluateAll((rows) =>
        rows
          .map((row) => ({
            label: row.querySelector('.label-name')?.textContent?.trim() ?? '',
            description: row.querySelector('.label-description')?.textContent?.trim() ?? '',
            level: Number(row.getAttribute('aria-level')),
            expanded: row.getAttribute('aria-expanded'),
            selected: row.getAttribute('aria-selected') === 'true',
            top: Number.parseFloat(row.style.top || '0'),
          }))
          .sort((a, b) => a.top - b.top),
      );
  }

  /** Right-clicks a tree row and clicks a context-menu entry (retried while the menu lacks it, as it can at first). */
  async treeRowContextCommand(pane, label, entry, timeoutMs = 20_000) {
    const item = this.page.locator('.context-view .monaco-menu .action-item', { hasText: entry }).first();
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      await this.treeRow(pane, label).click({ button: 'right' });
      await this.page.locator('.context-view .monaco-menu').first().waitFor({ state: 'visible', timeout: 10_000 });
      if (await item.isVisible()) {
        await item.hover();
        await item.click();
        return;
      }
      await this.page.keyboard.press('Escape');
    }
    throw new Error(`the context menu of ${label} in ${pane} never offered "${entry}"`);
  }

  /** Expands a tree row by its twistie (a click on the row itself would run the row's command). */
  async expandTreeRow(pane, label) {
    const row = this.treeRow(pane, label);
    await row.waitFor({ state: 'visible', timeout: 30_000 });
    if ((await row.getAttribute('aria-expanded')) !== 'true') await row.locator('.monaco-tl-twistie').click();
    await this.pane(pane)
      .locator('.monaco-list-row[aria-expanded="true"]', { has: this.page.locator('.label-name', { hasText: new RegExp(`^${escape(label)}$`) }) })
      .first()
      .waitFor({ state: 'visible', timeout: 10_000 });
  }

  async screenshot(file) {
    await this.page.screenshot({ path: file });
  }
}

/** The middle of `word` on an editor line, in page coordinates. */
async function wordCentre(line, word, lineText) {
  const at = await line.evaluate((element, w) => {
    const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const i = node.textContent.indexOf(w);
      if (i < 0) continue;
      const range = document.createRange();
      range.setStart(node, i);
      range.setEnd(node, i + w.length);
      const box = range.getBoundingClientRect();
      return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
    }
    return null;
  }, word);
  if (!at) throw new Error(`"${word}" is not on the line showing "${lineText}"`);
  return at;
}

function escape(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
