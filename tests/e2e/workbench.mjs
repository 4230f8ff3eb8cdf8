// The workbench as a user drives it, on top of the harness's code-server: the palette, Quick
// Open, the cursor, notifications, menus, the status bar item, the transcript webview, settings
// (in the Settings editor or settings.json) and screenshots. Every helper waits on a state of the
// page or the disk (an entry focused, a toast at rest, a file written), never a fixed pause.
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { OUTPUT_DIR, sleep, STEP_TIMEOUT, VsCode, waitFor } from './harness.mjs';

export class Workbench extends VsCode {
    async screenshot(name) {
        mkdirSync(OUTPUT_DIR, { recursive: true });
        // No tooltip of whatever the mouse last touched (a tab's path) in the picture.
        await this.page.mouse.move(200, 700);
        await this.page
            .locator('.workbench-hover-container')
            .first()
            .waitFor({ state: 'hidden', timeout: 5000 })
            .catch(() => undefined); // a hover that stays is only cosmetic
        const path = join(OUTPUT_DIR, `${name}.png`);
        await this.page.screenshot({ path });
        return path;
    }

    /** Run a command from the palette by its full title, e.g. "Fixloop: Run File". */
    async palette(title) {
        const page = this.page;
        const input = page.locator('.quick-input-widget .quick-input-box input');
        // Some widgets (the Settings editor's inputs) keep F1; fall back to the other shortcut.
        for (const key of ['F1', 'Control+Shift+P', 'F1']) {
            await page.keyboard.press(key);
            try {
                await input.waitFor({ state: 'visible', timeout: 3000 });
                break;
            } catch {
                await page.keyboard.press('Escape');
                await page.locator('.part.statusbar').click({ position: { x: 700, y: 10 } }).catch(() => undefined);
            }
        }
        await input.waitFor({ state: 'visible' });
        await input.fill(`>${title}`);
        // Wait until the command is listed, then until the highlighted row is exactly it (the
        // fuzzy order can put "Tasks: Restart Running Task" above "Tasks: Run Task"), so Enter
        // cannot pick a stale or a neighbouring one.
        await page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first().waitFor({ state: 'visible', timeout: 20000 });
        const focused = page.locator('.quick-input-list .monaco-list-row.focused').first();
        const isTitle = async () => {
            const label = ((await focused.getAttribute('aria-label').catch(() => '')) ?? '').trim();
            return label === title || label.startsWith(`${title},`); // "TITLE, KEYBINDING" at most
        };
        for (let step = 0; step < 10 && !(await isTitle()); step++) {
            await page.keyboard.press('ArrowDown');
        }
        if (!(await isTitle())) {
            throw new Error(`the command palette has no entry "${title}"`);
        }
        await page.keyboard.press('Enter');
    }

    /**
     * Show Quick Open and return its input. A Ctrl+P that lands while the workbench is still
     * moving focus (right after a tab click or an editor opening) is sometimes dropped and the
     * widget stays hidden, so press it again a few times before giving up.
     */
    async quickOpen() {
        const page = this.page;
        const input = page.locator('.quick-input-widget .quick-input-box input');
        for (let attempt = 1; attempt <= 4; attempt++) {
            await page.keyboard.press('Control+P');
            try {
                await input.waitFor({ state: 'visible', timeout: 5000 });
                return input;
            } catch {
                await page.keyboard.press('Escape');
            }
        }
        await input.waitFor({ state: 'visible' });
        return input;
    }

    /** Open a workspace file with Quick Open and wait for its editor. */
    async open(name) {
        const page = this.page;
        const active = page.locator('.tab.active', { hasText: new RegExp(`^\\s*${name.replace(/\./g, '\\.')}`) });
        // Enter can land while the list still shows the previous results, and the widget can
        // close under us while the workbench moves focus: check and retry the whole step.
        await this.retried(async () => {
            const input = await this.quickOpen();
            await input.fill(name, { timeout: 5000 });
            const focused = page.locator('.quick-input-list .monaco-list-row.focused');
            // The label starts with the file name, then details ("recently opened", a dirty mark).
            const named = new RegExp(`^\\W*${name.replace(/\./g, '\\.')}(,|\\s|$)`);
            // Wait for this query's results (the list can still show the previous one), then move
            // down to the file: recently opened ones come first (test_x.py before x.py).
            const labelOf = async () => ((await focused.getAttribute('aria-label').catch(() => '')) ?? '').trim();
            await waitFor(async () => (await input.inputValue()) === name && (await labelOf()).includes(name), { timeout: 20000, what: `Quick Open results for ${name}` });
            let label = '';
            for (let step = 0; step < 8; step++) {
                label = await labelOf();
                if (named.test(label)) {
                    break;
                }
                await page.keyboard.press('ArrowDown');
            }
            if (!named.test(label)) {
                throw new Error(`Quick Open does not list ${name} (focused: "${label}")`);
            }
            await page.keyboard.press('Enter');
            await active.waitFor({ timeout: 5000 });
        });
        await page.locator('.editor-group-container.active .monaco-editor .view-lines').first().waitFor();
    }

    /** Put the cursor at a 1-based line and column of the active editor. */
    async goTo(line, column = 1) {
        const page = this.page;
        await this.retried(async () => {
            const input = await this.quickOpen();
            await input.fill(`:${line}:${column}`, { timeout: 5000 });
            await page.locator('.quick-input-list .monaco-list-row', { hasText: `line ${line}` }).first().waitFor({ timeout: 10000 }).catch(() => undefined);
            await page.keyboard.press('Enter');
            await page.locator('.statusbar-item', { hasText: `Ln ${line}, Col ${column}` }).first().waitFor({ timeout: 10000 });
        });
    }

    /** Run a Quick Open step up to three times, closing whatever is left open in between. */
    async retried(step) {
        for (let attempt = 1; ; attempt++) {
            try {
                return await step();
            } catch (error) {
                if (attempt >= 3) {
                    throw error;
                }
                await this.page.keyboard.press('Escape');
                await sleep(500);
            }
        }
    }

    /** Wait for a notification toast containing `text`; returns its locator, at rest. */
    async toast(text, timeout = STEP_TIMEOUT) {
        const item = this.page.locator('.notifications-toasts .notification-list-item', { hasText: text }).first();
        await item.waitFor({ state: 'visible', timeout });
        await this.atRest(item); // toasts slide in; let the screenshot catch them still
        return item;
    }

    /** Wait until no toast containing `text` is shown. */
    async toastGone(text, timeout = STEP_TIMEOUT) {
        await this.page.locator('.notifications-toasts .notification-list-item', { hasText: text }).first().waitFor({ state: 'hidden', timeout });
    }

    /** Wait until `locator` stops moving (its box is the same on consecutive frames). */
    async atRest(locator) {
        let last = '';
        await waitFor(
            async () => {
                const box = JSON.stringify(await locator.boundingBox().catch(() => null));
                const still = box === last && box !== 'null';
                last = box;
                return still;
            },
            { interval: 150, what: 'an animation to end' },
        );
    }

    /** Wait until `locator` has faded in (menus and hovers fade; screenshots should not catch it). */
    async opaque(locator) {
        await waitFor(async () => (await locator.evaluate((element) => element.ownerDocument.defaultView?.getComputedStyle(element).opacity).catch(() => '0')) === '1', {
            interval: 100,
            what: 'a fade-in to end',
        });
    }

    /** The Fixloop status bar item (its element id ends with the item's id, fixloop.status). */
    statusItem() {
        return this.page.locator('.statusbar-item[id$="fixloop.status"]').first();
    }

    /** Wait until the Fixloop status bar item's text matches `pattern`; returns the text. */
    async statusMatches(pattern, timeout = STEP_TIMEOUT) {
        return waitFor(async () => {
            const text = ((await this.statusItem().textContent().catch(() => '')) ?? '').trim();
            return pattern.test(text) ? text : undefined;
        }, { timeout, what: `the Fixloop status to match ${pattern}` });
    }

    /** The document of the active webview (the transcript view): two nested iframes. */
    webview() {
        return this.page.frameLocator('iframe.webview.ready').last().frameLocator('iframe#active-frame');
    }

    /** Click an entry of the open context menu. */
    async contextMenu(text) {
        const entry = this.page.locator('.context-view .monaco-menu .action-item', { hasText: text }).first();
        await entry.waitFor({ state: 'visible', timeout: 20000 });
        await entry.click();
    }

    /**
     * Merge `patch` into the user settings (undefined removes a key) the way a user edits
     * settings.json: in the editor, saved with Ctrl+S (code-server does not watch the file for
     * changes made behind its back). Resolves once the file on disk holds the new settings.
     */
    async writeUserSettings(patch) {
        const page = this.page;
        const file = join(this.userData, 'User', 'settings.json');
        const settings = { ...JSON.parse(readFileSync(file, 'utf8')), ...patch };
        for (const [key, value] of Object.entries(patch)) {
            if (value === undefined) {
                delete settings[key];
            }
        }
        const wanted = JSON.stringify(settings);
        const tabs = page.locator('.tab', { hasText: 'settings.json' });
        const open = await tabs.count();
        await this.palette('Preferences: Open User Settings (JSON)');
        await page.locator('.tab.active', { hasText: 'settings.json' }).waitFor();
        await page.locator('.editor-group-container.active .monaco-editor .view-lines').first().click();
        await page.keyboard.press('Control+A');
        await page.keyboard.press('Delete');
        await page.keyboard.insertText(JSON.stringify(settings));
        // The JSON editor may still close a bracket or quote after the cursor: drop what follows.
        await page.keyboard.press('Control+Shift+End');
        await page.keyboard.press('Delete');
        await this.save();
        await waitFor(() => {
            try {
                return JSON.stringify(JSON.parse(readFileSync(file, 'utf8'))) === wanted;
            } catch {
                return false; // not written yet, or written half-way
            }
        }, { what: 'settings.json to be saved' });
        await this.palette('View: Close Editor');
        await waitFor(async () => (await tabs.count()) <= open, { what: 'settings.json to close' });
    }

    /** After a failed step: close every editor, dropping unsaved changes, so the next starts clean. */
    async closeAll() {
        const page = this.page;
        await page.keyboard.press('Escape');
        await this.palette('View: Close All Editor Groups');
        const dontSave = page.locator('.monaco-dialog-box .monaco-button', { hasText: "Don't Save" }).first();
        for (;;) {
            try {
                await dontSave.waitFor({ state: 'visible', timeout: 3000 });
            } catch {
                break; // no (more) unsaved editors
            }
            await dontSave.click();
        }
    }

    /** The rows of the Problems panel, as text ("message source [Ln 6, Col 5]"). */
    async problems() {
        const rows = this.page.locator('.markers-panel .monaco-list-row');
        return (await rows.allTextContents()).map((row) => row.replace(/\s+/g, ' ').trim());
    }

    /**
     * Choose an entry of the open quick-fix menu by keyboard (the menu's pointer block swallows
     * clicks): move the focus down to the row with `text`, then Enter.
     */
    async chooseAction(text) {
        const page = this.page;
        const rows = page.locator('.action-widget .monaco-list-row.action');
        await rows.filter({ hasText: text }).first().waitFor({ state: 'visible', timeout: 20000 });
        const count = await rows.count();
        for (let step = 0; step <= count; step++) {
            const focused = page.locator('.action-widget .monaco-list-row.focused');
            const label = (await focused.textContent().catch(() => '')) ?? '';
            if (typeof text === 'string' ? label.includes(text) : text.test(label)) {
                await page.keyboard.press('Enter');
                return;
            }
            await page.keyboard.press('ArrowDown');
        }
        throw new Error(`quick-fix menu has no focusable entry "${text}"`);
    }

    /**
     * Set a string setting in the Settings editor, as a user does. `scope` is the tab: "User",
     * or "Remote" for machine-scoped settings (code-server is a remote). `label` is the title
     * the editor shows for the setting, e.g. "Server Python".
     */
    async setSetting(id, label, value, scope = 'User') {
        const page = this.page;
        await this.palette('Preferences: Open User Settings');
        const editor = page.locator('.settings-editor');
        await editor.waitFor({ timeout: 20000 });
        await editor.locator('.settings-header .suggest-input-container').first().click();
        await page.keyboard.press('Control+A');
        await page.keyboard.type(id);
        await editor.locator('.settings-tabs-widget .action-label', { hasText: scope }).first().click();
        const field = editor.locator('.setting-item-contents', { hasText: label }).locator('input').first();
        await field.waitFor({ state: 'visible', timeout: 20000 });
        await field.fill(value);
        await field.press('Tab');
        // The Settings editor writes after a short debounce: wait for the file to hold the value.
        // User settings live in User/, a remote's (code-server's) machine settings in Machine/.
        const file = join(this.userData, scope === 'User' ? 'User' : 'Machine', 'settings.json');
        await waitFor(
            () => {
                try {
                    return (JSON.parse(readFileSync(file, 'utf8'))[id] ?? '') === value;
                } catch {
                    return false; // not written yet, or written half-way
                }
            },
            { what: `${id} = "${value}" in ${file}` },
        );
        // Close it: its lists keep keyboard focus and swallow the Quick Open shortcut.
        await page.locator('.tab', { hasText: 'Settings' }).locator('.action-label.codicon-close, .codicon-close').first().click();
        await editor.waitFor({ state: 'detached', timeout: 10000 });
    }

    async save() {
        await this.page.keyboard.press('Control+S');
    }
}
