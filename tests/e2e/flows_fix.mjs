// The e2e flows that fix code: from a selection, a quick fix, Run Tests, another tool's error
// (also when only that checker fails, the tests passing) and the Testing view; what happens to
// every place offering a fix when it is applied, discarded or made stale; the status bar per
// document; the transcript view; cancel and stale messages. Each returns a one-line summary;
// screenshots go to test-output/e2e/.
import { readFileSync, writeFileSync } from 'node:fs';
import { check, editorText, FIX_TIMEOUT, pytest, python, waitForDiskChange } from './checks.mjs';
import { waitFor } from './harness.mjs';

const IDLE = /^Fixloop · \w+$/; // the status item of a document with nothing pending

/** The notification offering a fix for `name`: verified, or uncertain (rivals disagree elsewhere). */
function offerFor(name) {
    return new RegExp(`(verified a|found an uncertain) fix for ${name.replace(/[.]/g, '\\.')}`);
}

/** The quick fix that applies a fix the sandbox proved, verified or uncertain. */
const APPLY_FIX = /Apply (verified|uncertain) fix/;

async function openQuickFixes(vscode, line, column, entry) {
    const page = vscode.page;
    await vscode.goTo(line, column);
    const wanted = page.locator('.action-widget').getByText(entry).first();
    // Ctrl+. that lands before the server has answered for this line (a server still starting,
    // a busy machine) shows "No code actions available" or a menu without the entry, and that
    // menu never updates: close it and ask again.
    for (let attempt = 1; ; attempt++) {
        await page.keyboard.press('Control+.');
        try {
            await wanted.waitFor({ state: 'visible', timeout: attempt < 3 ? 15000 : 30000 });
            return;
        } catch (error) {
            if (attempt >= 3) {
                throw error;
            }
            await page.keyboard.press('Escape');
        }
    }
}

async function applyFromTitleBar(vscode, name) {
    const page = vscode.page;
    const diff = page.locator('.monaco-diff-editor').first();
    await diff.waitFor({ state: 'visible', timeout: FIX_TIMEOUT });
    const apply = page.locator('.editor-actions .action-label[aria-label^="Apply Fix"]').first();
    await apply.waitFor({ state: 'visible' });
    check(await page.locator('.editor-actions .action-label[aria-label^="Discard Fix"]').first().isVisible(), 'Discard is in the title bar');
    await apply.click();
    await diff.waitFor({ state: 'detached' });
    // Applied from the title bar: the notification that offered the same fix closes too.
    await vscode.toastGone(offerFor(name));
}

export async function debugSelectionFlow(vscode) {
    const page = vscode.page;
    const path = vscode.file('stats.py');
    const before = readFileSync(path, 'utf8');
    check(!pytest(vscode.workspace, 'test_stats.py').ok, 'the fixture should fail its test before the fix');
    await vscode.open('stats.py');
    // Opening a Python file activates the extension, which shows its status bar item.
    await vscode.statusMatches(/Fixloop/);
    await vscode.goTo(4, 1); // select the buggy function: lines 4-6
    await page.keyboard.press('Shift+ArrowDown');
    await page.keyboard.press('Shift+ArrowDown');
    await page.keyboard.press('Shift+End');
    await vscode.screenshot('01-selection');
    await vscode.palette('Fixloop: Debug and Fix Selection');
    await page.locator('.monaco-diff-editor').first().waitFor({ state: 'visible', timeout: FIX_TIMEOUT });
    const title = (await page.locator('.tab.active').getAttribute('aria-label')) ?? '';
    // Verified, or uncertain when candidates that pass the same tests disagree elsewhere; titled
    // with the evidence either way ("tests: 1 failing -> 2/2 pass").
    check(/(verified|uncertain) fix/.test(title) && /->/.test(title), `diff tab is titled with the evidence, got "${title}"`);
    await vscode.toast(offerFor('stats.py'));
    await vscode.screenshot('02-diff-preview');
    await applyFromTitleBar(vscode, 'stats.py');
    await page.locator('.tab.active', { hasText: 'stats.py' }).waitFor();
    await vscode.screenshot('03-applied');
    check(readFileSync(path, 'utf8') === before, 'applying edits the buffer, not the file: nothing is written before save');
    await vscode.save();
    const after = await waitForDiskChange(path, before);
    const tests = pytest(vscode.workspace, 'test_stats.py');
    check(tests.ok, `the fixed stats.py passes test_stats.py:\n${tests.output}\n--- file ---\n${after}`);
    const transcript = await transcriptViewFlow(vscode);
    return `fixed and saved; pytest: ${tests.summary}; ${transcript}`;
}

/** The status bar opens the transcript view: facts, attempts, a diff, lines to reveal, raw JSON. */
async function transcriptViewFlow(vscode) {
    const page = vscode.page;
    await vscode.statusMatches(IDLE);
    await vscode.statusItem().click();
    await page.locator('.tab.active', { hasText: 'Fixloop transcript: stats.py' }).waitFor();
    const view = vscode.webview();
    await view.locator('h1', { hasText: 'Fixloop transcript: stats.py' }).waitFor();
    const facts = ((await view.locator('dl.facts').textContent()) ?? '').replace(/\s+/g, ' ');
    check(/Engine ?offline/.test(facts) && /Budget ?60 s/.test(facts) && /Sandbox ?(bwrap|docker|local)/.test(facts) && /Proof ?\S.* -> /.test(facts), `the facts name engine, sandbox, budget and proof: ${facts}`);
    const attempts = await view.locator('tr.attempt').count();
    const winner = view.locator('tr.attempt.verified').first();
    check(attempts >= 1 && /\+\d/.test((await winner.locator('td.time').textContent()) ?? ''), `attempts with times since the start (${attempts})`);
    await winner.locator('a.toggle').click();
    const diff = view.locator('tr.diff:not([hidden]) pre.code').first();
    await diff.waitFor({ state: 'visible' });
    check(/^\+/m.test((await diff.textContent()) ?? ''), 'the verified attempt shows its diff');
    await vscode.screenshot('04-transcript');
    const reveal = winner.locator('a.reveal');
    const line = Number(await reveal.getAttribute('data-line'));
    await reveal.click();
    await page.locator('.statusbar-item', { hasText: `Ln ${line},` }).first().waitFor();
    await page.locator('.tab', { hasText: 'Fixloop transcript' }).first().click();
    await vscode.webview().locator('#raw').click();
    await page.locator('.tab.active', { hasText: '.jsonl' }).waitFor();
    await vscode.palette('View: Close All Editor Groups');
    await page.locator('.tab').first().waitFor({ state: 'detached' });
    return `transcript view: ${attempts} attempts, lines revealed, raw JSON opened`;
}

export async function quickFixFlow(vscode) {
    const page = vscode.page;
    const path = vscode.file('words.py');
    const before = readFileSync(path, 'utf8');
    await vscode.open('words.py');
    await vscode.palette('Fixloop: Run File');
    await vscode.atRest(page.locator('.squiggly-error').first());
    await vscode.screenshot('05-squiggle');
    await openQuickFixes(vscode, 7, 16, 'Debug and fix: IndexError'); // `return words[len(words)]`
    await vscode.screenshot('06-quick-fix-debug');
    await vscode.chooseAction('Debug and fix: IndexError');
    await vscode.toast(offerFor('words.py'), FIX_TIMEOUT);
    await vscode.screenshot('07-quick-fix-verified');
    await openQuickFixes(vscode, 7, 16, APPLY_FIX);
    await vscode.screenshot('08-quick-fix-apply');
    await vscode.chooseAction(APPLY_FIX);
    await waitFor(async () => !(await editorText(page)).includes('words[len(words)]'), { what: 'the fix in the editor' });
    // Applied from the quick-fix menu: the notification offering it closes, and says so.
    await vscode.toastGone(offerFor('words.py'));
    await page.locator('.statusbar-item', { hasText: 'applied the verified fix to words.py' }).first().waitFor();
    await vscode.screenshot('09-quick-fix-applied');
    await vscode.save();
    const after = await waitForDiskChange(path, before);
    const run = python(vscode.workspace, 'words.py');
    check(run.status === 0, `the fixed words.py runs clean, got ${run.status}: ${run.stderr}\n--- file ---\n${after}`);
    const tests = pytest(vscode.workspace, 'test_words.py');
    check(tests.ok, `the fixed words.py passes test_words.py:\n${tests.output}`);
    return `fixed via quick fix, notification closed; pytest: ${tests.summary}`;
}

export async function discardAndStatusFlow(vscode) {
    const page = vscode.page;
    const before = readFileSync(vscode.file('ages.py'), 'utf8');
    await vscode.open('ages.py');
    await vscode.palette('Fixloop: Run File');
    await page.locator('.squiggly-error').first().waitFor({ state: 'visible', timeout: FIX_TIMEOUT });
    await openQuickFixes(vscode, 6, 12, 'Debug and fix: KeyError'); // `return ages[name] + 1`
    await vscode.chooseAction('Debug and fix: KeyError');
    const offer = await vscode.toast(offerFor('ages.py'), FIX_TIMEOUT);
    await vscode.statusMatches(/^Fixloop: verified · \w+$/);
    await vscode.screenshot('10-status-verified');
    await vscode.open('words.py'); // another document shows its own state, not ages.py's
    await vscode.statusMatches(IDLE);
    await vscode.open('ages.py');
    await vscode.statusMatches(/^Fixloop: verified/);
    await offer.locator('a', { hasText: 'Discard' }).click();
    await vscode.toastGone(offerFor('ages.py'));
    await vscode.statusMatches(IDLE);
    // Discarded on the server too: the quick-fix menu offers the loop again, not the fix.
    await openQuickFixes(vscode, 6, 12, 'Debug and fix: KeyError');
    const entries = await page.locator('.action-widget .monaco-list-row.action').allTextContents();
    check(!entries.some((entry) => APPLY_FIX.test(entry)), `a discarded fix is not offered: ${entries.join(' | ')}`);
    await vscode.screenshot('11-discarded');
    await page.keyboard.press('Escape');
    check(readFileSync(vscode.file('ages.py'), 'utf8') === before && !(await editorText(page)).includes('.get('), 'nothing applied');
    // On the unprotected local sandbox the item says so, in the warning colour.
    const configured = vscode.settings['fixloop.sandbox'];
    const sandboxBefore = / · (\w+)$/.exec(await vscode.statusMatches(IDLE))?.[1] ?? '';
    await vscode.writeUserSettings({ 'fixloop.sandbox': 'local' });
    await vscode.statusMatches(/· local$/);
    const colour = await vscode.statusItem().evaluate((element) => element.ownerDocument.defaultView?.getComputedStyle(element).backgroundColor);
    check(colour && colour !== 'rgba(0, 0, 0, 0)' && colour !== 'transparent', `local has a warning background, got ${colour}`);
    await vscode.screenshot('12-status-local');
    await vscode.writeUserSettings({ 'fixloop.sandbox': configured });
    const restored = await vscode.statusMatches(new RegExp(` · ${sandboxBefore}$`));
    return `status per document (${restored}); discarded fix no longer offered; local in warning colour`;
}

export async function runTestsFlow(vscode) {
    const page = vscode.page;
    const testsBefore = readFileSync(vscode.file('test_discount.py'), 'utf8');
    await vscode.open('discount.py');
    await vscode.palette('Fixloop: Run Tests');
    await page.locator('.squiggly-warning').first().waitFor({ state: 'visible', timeout: FIX_TIMEOUT });
    await page.keyboard.press('Control+Shift+M'); // the Problems panel
    const rows = await waitFor(
        async () => {
            const found = await vscode.problems();
            return found.some((row) => row.includes('test_half_price fails on the value returned here') && row.includes('Ln 6, Col 5')) &&
                found.some((row) => row.includes('test_discount.py::test_half_price failed') && row.includes('Ln 9, Col 5'))
                ? found
                : undefined;
        },
        { what: 'the module marked on its return line and the test on its assertion' },
    );
    await vscode.screenshot('13-run-tests-marks');
    await page.keyboard.press('Control+J'); // hide the panel again
    await vscode.open('test_discount.py');
    await vscode.palette('Fixloop: Run Tests'); // from the test file: runs that file
    await page.locator('.statusbar-item', { hasText: 'Fixloop tests: 1 passed, 1 failed' }).first().waitFor({ timeout: FIX_TIMEOUT });
    await openQuickFixes(vscode, 9, 5, 'Debug and fix the code under test');
    await vscode.screenshot('14-quick-fix-under-test');
    await vscode.chooseAction('Debug and fix the code under test');
    await vscode.toast(offerFor('discount.py'), FIX_TIMEOUT);
    await applyFromTitleBar(vscode, 'discount.py');
    check(readFileSync(vscode.file('test_discount.py'), 'utf8') === testsBefore, 'the test file is never edited');
    await vscode.open('discount.py');
    const before = readFileSync(vscode.file('discount.py'), 'utf8');
    await vscode.save();
    await waitForDiskChange(vscode.file('discount.py'), before);
    const tests = pytest(vscode.workspace, 'test_discount.py');
    check(tests.ok, `the fixed discount.py passes test_discount.py:\n${tests.output}`);
    return `marks: ${rows.filter((row) => /Ln \d+/.test(row)).length} rows; fixed from the test file; pytest: ${tests.summary}`;
}

/** Run a task of the workspace's tasks.json and wait for its problem matcher's squiggle. */
async function runProblemTask(vscode, label) {
    const page = vscode.page;
    await vscode.palette('Tasks: Run Task');
    const task = page.locator('.quick-input-list .monaco-list-row', { hasText: label }).first();
    await task.waitFor({ state: 'visible' });
    await task.click();
    await page.locator('.squiggly-error').first().waitFor({ state: 'visible', timeout: 60000 });
}

const GREETING = '"""Greetings printed on the shop\'s receipts."""\n\n\ndef greet(name)\n    return "Thank you, " + name\n\n\nprint(greet("Ana"))\n';

export async function otherToolsFlow(vscode) {
    const page = vscode.page;
    writeFileSync(vscode.file('greeting.py'), GREETING); // not in the fixture: ruff would refuse it
    await vscode.open('greeting.py');
    // A task whose problem matcher turns `python -m py_compile` output into a diagnostic.
    await runProblemTask(vscode, 'py_compile current file');
    await openQuickFixes(vscode, 4, 5, 'Debug and fix (Fixloop)');
    await vscode.screenshot('15-quick-fix-other-tools');
    await vscode.chooseAction('Debug and fix (Fixloop)');
    const offer = await vscode.toast(offerFor('greeting.py'), FIX_TIMEOUT);
    const text = (await offer.textContent()) ?? '';
    check(text.includes('py_compile: [SyntaxError] cleared'), `the offer says the checker ran in the sandbox and the error is gone: ${text}`);
    await openQuickFixes(vscode, 4, 5, APPLY_FIX);
    await vscode.chooseAction(APPLY_FIX);
    await waitFor(async () => (await editorText(page)).includes('def greet(name):'), { what: 'the colon in the editor' });
    await vscode.save();
    await waitForDiskChange(vscode.file('greeting.py'), GREETING);
    const compiled = python(vscode.workspace, '-m', 'py_compile', 'greeting.py');
    check(compiled.status === 0, `greeting.py compiles after the fix: ${compiled.stderr}`);
    return 'py_compile diagnostic -> Debug and fix (Fixloop) -> applied; compiles';
}

// Runs and its test passes, but mypy objects to the return type: only the checker fails.
const TOTAL = '"""Totals printed on the shop\'s receipts."""\n\n\ndef total(prices: list[int]) -> int:\n    return str(sum(prices))\n';
const TOTAL_TESTS = 'from total import total\n\n\ndef test_total():\n    assert str(total([1, 2])) == "3"\n';

export async function checkerOnlyFlow(vscode) {
    const page = vscode.page;
    // Written here, not kept in the fixture: the flows before this one see the workspace they expect.
    writeFileSync(vscode.file('test_total.py'), TOTAL_TESTS);
    writeFileSync(vscode.file('total.py'), TOTAL);
    check(pytest(vscode.workspace, 'test_total.py').ok, 'the test of total.py passes before the fix');
    await vscode.open('total.py');
    // A task whose problem matcher turns mypy's report into a diagnostic of source "mypy".
    await runProblemTask(vscode, 'mypy current file');
    await openQuickFixes(vscode, 5, 12, 'Debug and fix (Fixloop)');
    await vscode.chooseAction('Debug and fix (Fixloop)');
    const offer = await vscode.toast(offerFor('total.py'), FIX_TIMEOUT);
    const text = (await offer.textContent()) ?? '';
    check(text.includes('(mypy: [return-value] cleared; tests: 1/1 pass (before and after))'), `the offer says mypy's error is gone and the test passed before and after: ${text}`);
    await vscode.screenshot('27-checker-only-offer');
    await openQuickFixes(vscode, 5, 12, APPLY_FIX);
    await vscode.chooseAction(APPLY_FIX);
    await waitFor(async () => (await editorText(page)).includes('return sum(prices)'), { what: 'the fix in the editor' });
    await vscode.save();
    await waitForDiskChange(vscode.file('total.py'), TOTAL);
    const checked = python(vscode.workspace, '-m', 'mypy', '--no-incremental', '--cache-dir=/dev/null', 'total.py');
    check(checked.status === 0, `mypy accepts total.py after the fix: ${checked.stdout}`);
    const tests = pytest(vscode.workspace, 'test_total.py');
    check(tests.ok, `the fixed total.py still passes its test:\n${tests.output}`);
    check(readFileSync(vscode.file('test_total.py'), 'utf8') === TOTAL_TESTS, 'the test file is never edited');
    return `tests pass, mypy fails -> Debug and fix (Fixloop) -> applied; mypy clean; pytest: ${tests.summary}`;
}

export async function testingViewFlow(vscode) {
    const page = vscode.page;
    await vscode.open('test_inventory.py');
    // The gutter's menu on a test offers the fix too.
    const glyph = page.locator('.editor-group-container.active [class*="testing-run-glyph"]').first();
    await glyph.waitFor({ state: 'visible' });
    await glyph.click({ button: 'right' });
    await page.locator('.context-view .monaco-menu .action-item', { hasText: 'Fix with Fixloop' }).first().waitFor({ state: 'visible' });
    await page.keyboard.press('Escape');
    await vscode.palette('Testing: Focus on Test Explorer View');
    const file = page.locator('.test-explorer .monaco-list-row', { hasText: 'test_inventory.py' }).first();
    await file.waitFor({ state: 'visible' });
    await file.click();
    await page.keyboard.press('ArrowRight'); // expand it
    const test = page.locator('.test-explorer .monaco-list-row', { hasText: 'test_total_of_two_shelves' }).first();
    await test.waitFor({ state: 'visible' });
    await test.click({ button: 'right' });
    await page.locator('.context-view .monaco-menu .action-item', { hasText: 'Fix with Fixloop' }).first().waitFor({ state: 'visible' });
    await vscode.opaque(page.locator('.context-view').first());
    await vscode.screenshot('16-testing-view-fix');
    await vscode.contextMenu('Fix with Fixloop');
    await vscode.toast(offerFor('inventory.py'), FIX_TIMEOUT);
    await applyFromTitleBar(vscode, 'inventory.py');
    await vscode.open('inventory.py');
    const before = readFileSync(vscode.file('inventory.py'), 'utf8');
    await vscode.save();
    await waitForDiskChange(vscode.file('inventory.py'), before);
    const tests = pytest(vscode.workspace, 'test_inventory.py');
    check(tests.ok, `the fixed inventory.py passes test_inventory.py:\n${tests.output}`);
    return `fixed from the Testing view; pytest: ${tests.summary}`;
}

export async function cancelAndStaleFlow(vscode) {
    const page = vscode.page;
    await vscode.open('slow.py');
    await vscode.palette('Fixloop: Fix File');
    const running = await vscode.toast('Fixloop: debugging slow.py');
    await running.getByRole('button', { name: 'Cancel' }).click();
    await vscode.toast('cancelled the loop on slow.py before it found a fix', FIX_TIMEOUT);
    await vscode.screenshot('17-cancelled');
    await vscode.toastGone('Fixloop: debugging slow.py');
    await vscode.palette('Fixloop: Fix File');
    await vscode.toast('Fixloop: debugging slow.py');
    await vscode.goTo(2, 1);
    await page.keyboard.type('# edited while the loop ran\n');
    const stale = await vscode.toast('slow.py changed while Fixloop was working', FIX_TIMEOUT);
    check(await stale.getByRole('button', { name: 'Re-run' }).isVisible(), 'the stale message offers Re-run');
    await vscode.statusMatches(/^Fixloop: stale/);
    await vscode.screenshot('18-stale');
    const said = (await stale.locator('.notification-list-item-message').textContent()) ?? '';
    return `cancel and stale messages: "${said.trim()}"`;
}
