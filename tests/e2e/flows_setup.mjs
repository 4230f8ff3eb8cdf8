// The e2e flows about set-up and problems: the API key stays secret; a missing interpreter, a
// missing optional package, a model or key that is not set, or a sandbox that cannot run each
// give one clear message with the button that helps (chosen by the server's error code); Solve
// Task's result opens read-only. Each returns a one-line summary.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { check, SERVER_PYTHON } from './checks.mjs';
import { askTask, withScriptedModel } from './flows_task.mjs';
import { filesUnder, waitFor } from './harness.mjs';

export async function apiKeyFlow(vscode) {
    const page = vscode.page;
    const key = `sk-e2e-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
    await vscode.open('stats.py');
    const serverBefore = await waitFor(() => vscode.serverPids()[0], { what: 'a running language server' });
    await vscode.palette('Fixloop: Set API Key');
    const input = page.locator('.quick-input-widget .quick-input-box input');
    await input.waitFor({ state: 'visible' });
    check((await input.getAttribute('type')) === 'password', 'the key input box hides what is typed');
    await input.fill(key);
    await vscode.screenshot('20-api-key-input');
    await page.keyboard.press('Enter');
    await vscode.toast("API key saved in VS Code's secret storage");
    // The change restarts the server with the key in its environment.
    const serverWithKey = await waitFor(() => vscode.serverPids().find((pid) => pid !== serverBefore && vscode.serverEnvironment(pid).get('FIXLOOP_API_KEY') === key), {
        what: 'a restarted server with FIXLOOP_API_KEY',
    });
    // VS Code writes its logs in the background: wait until the change is in the output channel.
    await waitFor(() => vscode.outputChannelLog().includes('API key stored'), { what: 'the output channel to log the change' });
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
    check(!vscode.outputChannelLog().includes(key), 'the key is not in the output channel');
    check(!existsSync(join(vscode.workspace, '.vscode', 'settings.json')) || !readFileSync(join(vscode.workspace, '.vscode', 'settings.json'), 'utf8').includes(key), 'the key is not in workspace settings');
    await vscode.palette('Fixloop: Clear API Key');
    await vscode.toast('API key removed');
    await waitFor(() => vscode.serverPids().find((pid) => pid !== serverWithKey && !vscode.serverEnvironment(pid).has('FIXLOOP_API_KEY')), { what: 'a restarted server without the key' });
    return 'key only in the server environment; cleared again';
}

export async function missingInterpreterFlow(vscode) {
    await vscode.open('stats.py');
    const running = await waitFor(() => (vscode.serverPids().length > 0 ? vscode.serverPids() : undefined), { what: 'a running language server' });
    // Change the setting the way a user does, in the Settings editor.
    await vscode.setSetting('fixloop.serverPython', 'Server Python', '/nonexistent/bin/python3', 'Remote');
    try {
        const toast = await vscode.toast('"/nonexistent/bin/python3" does not exist');
        const text = (await toast.textContent()) ?? '';
        check(text.includes('fixloop.serverPython') && !/Traceback|at .*\.js:\d+/.test(text), `one clear message naming the setting, got: ${text}`);
        check(await toast.getByRole('button', { name: 'Open Settings' }).isVisible(), 'the message offers Open Settings');
        await vscode.screenshot('21-missing-interpreter');
        await waitFor(() => running.every((pid) => !vscode.serverPids().includes(pid)), { what: 'the old server to stop' });
    } finally {
        await vscode.setSetting('fixloop.serverPython', 'Server Python', SERVER_PYTHON, 'Remote');
    }
    await waitFor(() => vscode.serverPids().length > 0, { what: 'the server to come back with the right interpreter' });
    return 'clear message with Open Settings; server back after fixing the setting';
}

export async function missingPackageFlow(vscode) {
    const page = vscode.page;
    // A model makes engine "auto" need openai and AutoGen, which the system python3 lacks.
    check(spawnSync(SERVER_PYTHON, ['-c', 'import openai'], { encoding: 'utf8' }).status !== 0, `${SERVER_PYTHON} must lack openai for this check`);
    await vscode.open('stats.py');
    await vscode.setSetting('fixloop.model', 'Model', 'gpt-4o-mini', 'User');
    try {
        const toast = await vscode.toast('Fixloop needs openai');
        const text = (await toast.textContent()) ?? '';
        check(text.includes(SERVER_PYTHON) && text.includes('for the model engine'), `the message names the packages, the purpose and the interpreter, got: ${text}`);
        check(await toast.getByRole('button', { name: 'Install' }).isVisible(), 'the message offers Install');
        await vscode.screenshot('22-missing-package');
        const toasts = await page.locator('.notifications-toasts .notification-list-item', { hasText: 'Fixloop needs' }).count();
        check(toasts === 1, `one message, not ${toasts}`);
        // A model name but no key: a model-only command names just the key, with its button.
        await vscode.goTo(4, 1);
        await page.keyboard.press('Shift+ArrowDown');
        await vscode.palette('Fixloop: Generate Tests for Selection');
        const noKey = await vscode.toast('Test generation needs a model: set an API key');
        check(await noKey.getByRole('button', { name: 'Set API Key' }).isVisible(), 'the message offers Set API Key');
        check(!(await noKey.getByRole('button', { name: 'Open Settings' }).isVisible()), 'the model is set: no Open Settings');
    } finally {
        await vscode.setSetting('fixloop.model', 'Model', '', 'User');
    }
    return 'one message naming openai/AutoGen and the interpreter, with Install; "set an API key" with its button';
}

export async function sandboxProblemFlow(vscode) {
    // An interpreter for user code that does not exist: no sandbox can run, and the server's
    // error code (not its wording) makes the client offer to choose a sandbox.
    await vscode.open('words.py');
    const sandboxBefore = / · (\w+)$/.exec(await vscode.statusMatches(/· \w+$/))?.[1] ?? '';
    await vscode.writeUserSettings({ 'fixloop.python': '/nonexistent/bin/python3' });
    try {
        await vscode.statusMatches(/· auto$/); // the server took the setting: no sandbox resolves
        await vscode.palette('Fixloop: Run File');
        const toast = await vscode.toast('sandbox is not available');
        const text = (await toast.textContent()) ?? '';
        check(text.includes('/nonexistent/bin/python3') && !/Traceback/.test(text), `the message names the interpreter: ${text}`);
        check(await toast.getByRole('button', { name: 'Choose Sandbox' }).isVisible(), 'the message offers Choose Sandbox');
        await vscode.screenshot('23-sandbox-unavailable');
    } finally {
        await vscode.writeUserSettings({ 'fixloop.python': vscode.settings['fixloop.python'] });
    }
    await vscode.statusMatches(new RegExp(` · ${sandboxBefore}$`));
    return 'sandbox-unavailable -> one message with Choose Sandbox';
}

export async function modelFlow(vscode) {
    const page = vscode.page;
    await vscode.open('stats.py');
    // No model and no key: the message says both are missing and offers both buttons.
    const task = 'Write the first five square numbers to squares.txt';
    await askTask(vscode, task);
    const toast = await vscode.toast('Solve Task needs a model');
    const text = (await toast.textContent()) ?? '';
    check(/a model name .* and an API key/.test(text), `the message names what is missing: ${text}`);
    for (const button of ['Set API Key', 'Open Settings']) {
        check(await toast.getByRole('button', { name: button }).isVisible(), `the message offers ${button}`);
    }
    await vscode.screenshot('24-no-model');
    await vscode.palette('Notifications: Clear All Notifications');
    await vscode.toastGone('Solve Task needs a model');
    // With a (scripted) model, on an interpreter that has the model packages: the result opens
    // read-only and closes without asking to save.
    await withScriptedModel(vscode, {}, async () => {
        await askTask(vscode, task);
        const tab = page.locator('.tab.active', { hasText: 'Fixloop task result.md' });
        await tab.waitFor({ timeout: 240000 });
        await page.locator('.editor-group-container.active .view-lines', { hasText: 'squares.txt' }).first().waitFor();
        await vscode.screenshot('25-task-result');
        await vscode.palette('View: Close Editor');
        await tab.waitFor({ state: 'detached' });
        check(!(await page.locator('.monaco-dialog-box').isVisible()), 'closing the result asks nothing');
    });
    return 'no model: names model and key, two buttons; task result read-only, closed without a prompt';
}
