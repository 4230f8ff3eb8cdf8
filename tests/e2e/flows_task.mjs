// The e2e flows of "Fixloop: Solve Task in Sandbox…" with a model: the scripted model
// (tests/e2e/scripted_model.py) on 127.0.0.1, the server on the interpreter that has the model
// packages, and for item 9 a package index on 127.0.0.1 (tests/e2e/package_index.py) serving a
// wheel built at run time. The task's pip install must land in the task's own package
// directory: the result shows the package installed and used, and the user's interpreter never
// gets it. Each flow returns a one-line summary.
import { spawn, spawnSync } from 'node:child_process';
import { basename, dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { check, SERVER_PYTHON, TEST_PYTHON } from './checks.mjs';
import { filesUnder, ROOT, waitFor } from './harness.mjs';

/**
 * Start a helper process of tests/e2e that prints what the flow needs on its first stdout line
 * and stops when its stdin closes; resolves with that line, the later lines (a live array) and
 * a stop().
 */
async function helperProcess(script, args = []) {
    const child = spawn(TEST_PYTHON, [join(ROOT, 'tests', 'e2e', script), ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
    const later = [];
    const first = await new Promise((resolve, reject) => {
        const lines = createInterface({ input: child.stdout });
        let seen = false;
        lines.on('line', (line) => {
            if (seen) {
                later.push(line);
            } else {
                seen = true;
                resolve(line);
            }
        });
        child.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
    });
    return { first, later, stop: () => child.stdin.end() };
}

/** Start the scripted model; resolves with its URL and a stop(). */
export async function scriptedModel(indexUrl) {
    const model = await helperProcess('scripted_model.py', indexUrl ? ['--index-url', indexUrl] : []);
    return { url: model.first, stop: model.stop };
}

/** Run "Solve Task in Sandbox…" from the palette with `text` as the task. */
export async function askTask(vscode, text) {
    const page = vscode.page;
    await vscode.palette('Fixloop: Solve Task in Sandbox…');
    // The task's own input box (not the palette's, which uses the same widget).
    await page.locator('.quick-input-widget .quick-input-title', { hasText: 'Solve Task in Sandbox' }).waitFor({ state: 'visible' });
    await page.locator('.quick-input-widget .quick-input-box input').fill(text);
    await page.keyboard.press('Enter');
}

/**
 * Run `body` with the server on the interpreter that has the model packages and the scripted
 * model configured (plus `settings`), then put every setting back.
 */
export async function withScriptedModel(vscode, { indexUrl, settings = {} }, body) {
    const model = await scriptedModel(indexUrl);
    try {
        // The server's interpreter is a machine setting ("Remote" in code-server).
        const before = new Set(vscode.serverPids());
        await vscode.setSetting('fixloop.serverPython', 'Server Python', TEST_PYTHON, 'Remote');
        await waitFor(() => vscode.serverPids().some((pid) => !before.has(pid)), { what: 'the server restarted on the interpreter with the model packages' });
        await vscode.writeUserSettings({ 'fixloop.model': 'scripted-coder', 'fixloop.baseUrl': model.url, ...settings });
        return await body();
    } finally {
        const reset = Object.fromEntries(Object.keys(settings).map((key) => [key, undefined]));
        await vscode.writeUserSettings({ 'fixloop.model': undefined, 'fixloop.baseUrl': undefined, ...reset });
        await vscode.setSetting('fixloop.serverPython', 'Server Python', SERVER_PYTHON, 'Remote');
        model.stop();
    }
}

/** Whether `interpreter` can import `module` (run outside any sandbox, as the user would). */
function canImport(interpreter, module) {
    const probe = spawnSync(interpreter, ['-c', `import importlib.util, sys; sys.exit(0 if importlib.util.find_spec(${JSON.stringify(module)}) else 3)`], { encoding: 'utf8' });
    check(probe.status === 0 || probe.status === 3, `${interpreter} could not be asked about ${module}: ${probe.stderr}`);
    return probe.status === 0;
}

export async function taskPackageFlow(vscode) {
    const page = vscode.page;
    const index = await helperProcess('package_index.py');
    try {
        const { url, value, package: name, module } = JSON.parse(index.first);
        for (const interpreter of [TEST_PYTHON, SERVER_PYTHON]) {
            check(!canImport(interpreter, module), `${interpreter} must not have ${module} before the step`);
        }
        await vscode.open('stats.py');
        await withScriptedModel(vscode, { indexUrl: url, settings: { 'fixloop.network': true, 'fixloop.allowShell': true } }, async () => {
            await askTask(vscode, `Install ${module} with pip and write its VALUE to probe.txt`);
            const tab = page.locator('.tab.active', { hasText: 'Fixloop task result.md' });
            await tab.waitFor({ timeout: 240000 });
            const lines = page.locator('.editor-group-container.active .view-lines');
            await lines.filter({ hasText: 'succeeded in the sandbox' }).first().waitFor();
            // The produced file holds the value only the wheel built for this run has.
            await lines.filter({ hasText: value }).first().waitFor();
            // The output (at the end of the document): pip installed it, the program imported
            // it from the task's package directory.
            await page.keyboard.press('Control+End');
            await lines.filter({ hasText: `Successfully installed ${name}-1.0` }).first().waitFor();
            const used = page.locator('.editor-group-container.active .view-line', { hasText: `used ${module} ${value} from` }).first();
            await used.waitFor();
            const origin = ((await used.textContent()) ?? '').replace(/\u00a0/g, ' ');
            check(!origin.includes(dirname(dirname(TEST_PYTHON))) && !origin.includes('site-packages'), `the module came from the task's package directory, not an interpreter: ${origin}`);
            await vscode.screenshot('26-task-package');
            await vscode.palette('View: Close Editor');
            await tab.waitFor({ state: 'detached' });
        });
        check(
            index.later.some((line) => line.startsWith('fetched ') && line.endsWith('.whl')),
            `pip fetched the wheel from the index on 127.0.0.1 (requests: ${index.later.join('; ')})`,
        );
        // On disk, after the task: neither interpreter got the package, nor did the workspace.
        for (const interpreter of [TEST_PYTHON, SERVER_PYTHON]) {
            check(!canImport(interpreter, module), `${interpreter} got ${module}: the task's pip install reached the user's interpreter`);
        }
        const leaked = filesUnder(vscode.workspace).filter((file) => file.includes(module) || basename(file) === 'probe.txt');
        check(leaked.length === 0, `the task wrote nothing into the workspace, found: ${leaked.join(', ')}`);
        return `pip installed ${name} from 127.0.0.1 into the task's own directory; the result shows it used; ${basename(TEST_PYTHON)} and ${SERVER_PYTHON} still lack it`;
    } finally {
        index.stop();
    }
}
