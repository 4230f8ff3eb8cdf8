// The end-to-end test in a real VS Code (code-server 4.96.4 + Playwright + Debian's Chromium),
// with the built .vsix installed and the server running from the bundle under the system
// python3 (no pygls of its own):
//   1. Debug and Fix Selection from the palette -> diff preview -> Apply in the title bar ->
//      saved file passes its pytest file;
//   2. Run File -> squiggle -> quick fix "Debug and fix" -> quick fix "Apply verified fix" ->
//      saved file runs clean and passes its tests;
//   3. Set API Key -> the key is in the server process's environment only: not in settings.json,
//      the logs or the output channel; Clear API Key removes it from the restarted server;
//   4. a server interpreter that does not exist -> one clear message naming the setting;
//   5. a model setting whose packages (openai, AutoGen) the interpreter lacks -> one message
//      with an Install action (not clicked: it would pip install into the system Python).
// Screenshots of each step go to test-output/e2e/; with --update-screenshots the key ones are
// copied to docs/screenshots/ for the README. Prints "e2e: N passed, N failed".
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { filesUnder, OUTPUT_DIR, ROOT, sleep, VsCode, waitFor } from './harness.mjs';

const SERVER_PYTHON = process.env.FIXLOOP_E2E_SERVER_PYTHON ?? '/usr/bin/python3';
const TEST_PYTHON = process.env.FIXLOOP_E2E_TEST_PYTHON ?? join(ROOT, '.venv', 'bin', 'python');
const FIX_TIMEOUT = 120000;
const README_SHOTS = {
    '02-diff-preview': 'diff-preview.png',
    '05-squiggle': 'run-file-squiggle.png',
    '06-quick-fix-debug': 'quick-fix-debug.png',
    '08-quick-fix-apply': 'quick-fix-apply.png',
    '11-missing-interpreter': 'missing-interpreter.png',
};

function check(condition, message) {
    if (!condition) {
        throw new Error(message);
    }
}

function pytest(workspace, testFile) {
    const run = spawnSync(TEST_PYTHON, ['-m', 'pytest', '-q', '-p', 'no:cacheprovider', '-W', 'ignore', testFile], { cwd: workspace, encoding: 'utf8' });
    const output = `${run.stdout}${run.stderr}`.trim();
    return { ok: run.status === 0, output, summary: output.split('\n').filter((line) => /passed|failed|error/.test(line)).pop() ?? output };
}

async function waitForDiskChange(path, before) {
    return waitFor(() => {
        const now = readFileSync(path, 'utf8');
        return now !== before ? now : undefined;
    }, { timeout: 20000, what: `${path} to be saved` });
}

async function debugSelectionFlow(vscode) {
    const page = vscode.page;
    const path = vscode.file('stats.py');
    const before = readFileSync(path, 'utf8');
    check(!pytest(vscode.workspace, 'test_stats.py').ok, 'the fixture should fail its test before the fix');
    await vscode.open('stats.py');
    // Opening a Python file activates the extension, which shows its status bar item.
    await page.locator('.statusbar-item', { hasText: 'Fixloop' }).first().waitFor({ timeout: 60000 });
    // Select the buggy function: lines 4-6.
    await vscode.goTo(4, 1);
    await page.keyboard.press('Shift+ArrowDown');
    await page.keyboard.press('Shift+ArrowDown');
    await page.keyboard.press('Shift+End');
    await vscode.screenshot('01-selection');
    await vscode.palette('Fixloop: Debug and Fix Selection');
    const diff = page.locator('.monaco-diff-editor').first();
    await diff.waitFor({ state: 'visible', timeout: FIX_TIMEOUT });
    const tab = page.locator('.tab.active');
    await tab.waitFor();
    const title = (await tab.getAttribute('aria-label')) ?? (await tab.textContent()) ?? '';
    check(/verified fix/.test(title) && /->/.test(title), `diff tab is titled with the proof, got "${title}"`);
    await vscode.toast('Fixloop verified a fix for stats.py');
    await vscode.screenshot('02-diff-preview');
    const apply = page.locator('.editor-actions .action-label[aria-label^="Apply Fix"]').first();
    await apply.waitFor({ state: 'visible', timeout: 10000 });
    check(await page.locator('.editor-actions .action-label[aria-label^="Discard Fix"]').first().isVisible(), 'Discard is in the title bar');
    await apply.click();
    await diff.waitFor({ state: 'detached', timeout: 20000 });
    await page.locator('.tab.active', { hasText: 'stats.py' }).waitFor();
    await vscode.screenshot('03-applied');
    check(readFileSync(path, 'utf8') === before, 'applying edits the buffer, not the file: nothing is written before save');
    await vscode.save();
    const after = await waitForDiskChange(path, before);
    const tests = pytest(vscode.workspace, 'test_stats.py');
    check(tests.ok, `the fixed stats.py passes test_stats.py:\n${tests.output}\n--- file ---\n${after}`);
    // The status bar says what happened; clicking it opens the loop's transcript.
    const status = page.locator('.statusbar-item', { hasText: 'Fixloop: verified' }).first();
    await status.waitFor({ timeout: 10000 });
    await status.click();
    await page.locator('.tab.active', { hasText: '.jsonl' }).waitFor({ timeout: 20000 });
    check(existsSync(vscode.stateDir) && !existsSync(join(vscode.workspace, '.fixloop')), 'transcripts live in the state dir, not the workspace');
    await vscode.screenshot('04-transcript');
    return `fixed and saved; pytest: ${tests.summary}; transcript opened from the status bar`;
}

async function quickFixFlow(vscode) {
    const page = vscode.page;
    const path = vscode.file('words.py');
    const before = readFileSync(path, 'utf8');
    await vscode.open('words.py');
    await vscode.palette('Fixloop: Run File');
    await page.locator('.squiggly-error').first().waitFor({ state: 'attached', timeout: 60000 });
    await sleep(500);
    await vscode.screenshot('05-squiggle');
    // The failing line: `return words[len(words)]`.
    await vscode.goTo(7, 16);
    await page.keyboard.press('Control+.');
    const menu = page.locator('.action-widget');
    await menu.getByText('Debug and fix: IndexError').first().waitFor({ state: 'visible', timeout: 20000 });
    await vscode.screenshot('06-quick-fix-debug');
    await vscode.chooseAction('Debug and fix: IndexError');
    await vscode.toast('Fixloop verified a fix for words.py', FIX_TIMEOUT);
    await vscode.screenshot('07-quick-fix-verified');
    await vscode.goTo(7, 16);
    await page.keyboard.press('Control+.');
    await menu.getByText('Apply verified fix').first().waitFor({ state: 'visible', timeout: 20000 });
    await vscode.screenshot('08-quick-fix-apply');
    await vscode.chooseAction('Apply verified fix');
    const editorText = async () => ((await page.locator('.editor-group-container.active .view-lines').first().textContent()) ?? '').replace(/\u00a0/g, ' ');
    await waitFor(async () => !(await editorText()).includes('words[len(words)]'), {
        timeout: 10000,
        what: 'the fix in the editor',
    });
    await vscode.save();
    const after = await waitForDiskChange(path, before);
    await vscode.screenshot('09-quick-fix-applied');
    const run = spawnSync(TEST_PYTHON, ['words.py'], { cwd: vscode.workspace, encoding: 'utf8' });
    check(run.status === 0, `the fixed words.py runs clean, got ${run.status}: ${run.stderr}\n--- file ---\n${after}`);
    const tests = pytest(vscode.workspace, 'test_words.py');
    check(tests.ok, `the fixed words.py passes test_words.py:\n${tests.output}`);
    return `fixed via quick fix; pytest: ${tests.summary}`;
}

async function apiKeyFlow(vscode) {
    const page = vscode.page;
    const key = `sk-e2e-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
    await vscode.open('stats.py');
    const serverBefore = await waitFor(() => vscode.serverPids()[0], { timeout: 60000, what: 'a running language server' });
    await vscode.palette('Fixloop: Set API Key');
    const input = page.locator('.quick-input-widget .quick-input-box input');
    await input.waitFor({ state: 'visible' });
    check((await input.getAttribute('type')) === 'password', 'the key input box hides what is typed');
    await input.fill(key);
    await vscode.screenshot('10-api-key-input');
    await page.keyboard.press('Enter');
    await vscode.toast("API key saved in VS Code's secret storage");
    // The change restarts the server with the key in its environment.
    const serverWithKey = await waitFor(
        () => vscode.serverPids().find((pid) => pid !== serverBefore && vscode.serverEnvironment(pid).get('FIXLOOP_API_KEY') === key),
        { timeout: 60000, what: 'a restarted server with FIXLOOP_API_KEY' },
    );
    await sleep(1000); // let VS Code flush its logs
    const settings = readFileSync(join(vscode.userData, 'User', 'settings.json'), 'utf8');
    check(!settings.includes(key), 'the key is not in settings.json');
    const leaks = filesUnder(vscode.userData).filter((file) => {
        try {
            return readFileSync(file).includes(key);
        } catch {
            return false;
        }
    });
    check(leaks.length === 0, `the key is in no file of the user-data dir (logs, settings, state), found in: ${leaks.join(', ')}`);
    check(!vscode.serverLog.join('').includes(key), 'the key is not in code-server output');
    const channel = vscode.outputChannelLog();
    check(channel.includes('API key stored'), 'the output channel logged the change (without the key)');
    check(!channel.includes(key), 'the key is not in the output channel');
    check(!existsSync(join(vscode.workspace, '.vscode')) || !filesUnder(join(vscode.workspace, '.vscode')).some((f) => readFileSync(f, 'utf8').includes(key)), 'the key is not in workspace settings');
    await vscode.palette('Fixloop: Clear API Key');
    await vscode.toast('API key removed');
    await waitFor(
        () => vscode.serverPids().find((pid) => pid !== serverWithKey && !vscode.serverEnvironment(pid).has('FIXLOOP_API_KEY')),
        { timeout: 60000, what: 'a restarted server without the key' },
    );
    return 'key only in the server environment; cleared again';
}

async function missingInterpreterFlow(vscode) {
    await vscode.open('stats.py');
    const running = await waitFor(() => (vscode.serverPids().length > 0 ? vscode.serverPids() : undefined), { timeout: 60000, what: 'a running language server' });
    // Change the setting the way a user does, in the Settings editor.
    await vscode.setSetting('fixloop.serverPython', 'Server Python', '/nonexistent/bin/python3', 'Remote');
    try {
        const toast = await vscode.toast('"/nonexistent/bin/python3" does not exist', 30000);
        const text = (await toast.textContent()) ?? '';
        check(text.includes('fixloop.serverPython') && !/Traceback|at .*\.js:\d+/.test(text), `one clear message naming the setting, got: ${text}`);
        check(await toast.getByRole('button', { name: 'Open Settings' }).isVisible(), 'the message offers Open Settings');
        await vscode.screenshot('11-missing-interpreter');
        check(running.every((pid) => !vscode.serverPids().includes(pid)), 'the old server stopped');
    } finally {
        await vscode.setSetting('fixloop.serverPython', 'Server Python', SERVER_PYTHON, 'Remote');
    }
    await waitFor(() => vscode.serverPids().length > 0, { timeout: 60000, what: 'the server to come back with the right interpreter' });
    return 'clear message with Open Settings; server back after fixing the setting';
}

async function missingPackageFlow(vscode) {
    // A model makes engine "auto" need openai and AutoGen, which the system python3 lacks.
    check(spawnSync(SERVER_PYTHON, ['-c', 'import openai'], { encoding: 'utf8' }).status !== 0, `${SERVER_PYTHON} must lack openai for this check`);
    await vscode.open('stats.py');
    await vscode.setSetting('fixloop.model', 'Model', 'gpt-4o-mini', 'User');
    try {
        const toast = await vscode.toast('Fixloop needs openai', 30000);
        const text = (await toast.textContent()) ?? '';
        check(text.includes(SERVER_PYTHON) && text.includes('for the model engine'), `the message names the packages, the purpose and the interpreter, got: ${text}`);
        check(await toast.getByRole('button', { name: 'Install' }).isVisible(), 'the message offers Install');
        await vscode.screenshot('12-missing-package');
        const toasts = await vscode.page.locator('.notifications-toasts .notification-list-item', { hasText: 'Fixloop needs' }).count();
        check(toasts === 1, `one message, not ${toasts}`);
    } finally {
        await vscode.setSetting('fixloop.model', 'Model', '', 'User');
    }
    return 'one message naming openai/AutoGen and the interpreter, with Install';
}

async function main() {
    const update = process.argv.includes('--update-screenshots');
    const results = [];
    const started = Date.now();
    const vscode = await VsCode.start({
        settings: { 'fixloop.serverPython': SERVER_PYTHON, 'fixloop.logLevel': 'debug', 'fixloop.sandbox': process.env.FIXLOOP_E2E_SANDBOX ?? 'auto', ...(process.env.FIXLOOP_E2E_TRACE ? { 'fixloop.trace.server': 'verbose' } : {}) },
    });
    try {
        const flows = [
            ['debug and fix selection -> diff preview -> apply', debugSelectionFlow],
            ['run file -> squiggle -> quick fixes', quickFixFlow],
            ['API key stays secret', apiKeyFlow],
            ['missing interpreter -> one clear message', missingInterpreterFlow],
            ['missing optional package -> one message with Install', missingPackageFlow],
        ];
        // FIXLOOP_E2E_ONLY=1,3 runs a subset while debugging.
        const only = (process.env.FIXLOOP_E2E_ONLY ?? '').split(',').filter(Boolean).map(Number);
        for (const [name, flow] of flows.filter((_f, index) => only.length === 0 || only.includes(index + 1))) {
            const flowStarted = Date.now();
            try {
                const detail = await flow(vscode);
                results.push({ name, ok: true });
                console.log(`PASS ${name} (${((Date.now() - flowStarted) / 1000).toFixed(1)} s): ${detail}`);
            } catch (error) {
                results.push({ name, ok: false });
                const slug = name.replace(/\W+/g, '-');
                await vscode.screenshot(`FAILED-${slug}`).catch(() => undefined);
                console.log(`FAIL ${name}: ${error instanceof Error ? error.message : error}`);
                console.log('--- Fixloop output channel ---');
                console.log(vscode.outputChannelLog().split('\n').slice(-Number(process.env.FIXLOOP_E2E_LOG_LINES ?? 40)).join('\n'));
                await vscode.page.keyboard.press('Escape').catch(() => undefined);
            }
        }
    } finally {
        await vscode.stop();
        vscode.cleanup();
    }
    if (update) {
        mkdirSync(join(ROOT, 'docs', 'screenshots'), { recursive: true });
        for (const [shot, target] of Object.entries(README_SHOTS)) {
            const source = join(OUTPUT_DIR, `${shot}.png`);
            if (existsSync(source)) {
                copyFileSync(source, join(ROOT, 'docs', 'screenshots', target));
            }
        }
    }
    const passed = results.filter((r) => r.ok).length;
    console.log(`screenshots: ${OUTPUT_DIR}; total ${((Date.now() - started) / 1000).toFixed(1)} s`);
    console.log(`e2e: ${passed} passed, ${results.length - passed} failed`);
    process.exitCode = passed === results.length ? 0 : 1;
}

main().catch((error) => {
    console.error(`e2e: could not run: ${error instanceof Error ? error.stack : error}`);
    console.log('e2e: 0 passed, 1 failed');
    process.exitCode = 1;
});


