// Checks shared by the e2e flows: assertions, pytest and Python runs of the workspace's files
// (outside VS Code, to prove what the editor saved), and waits on the disk.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, waitFor } from './harness.mjs';

export const SERVER_PYTHON = process.env.FIXLOOP_E2E_SERVER_PYTHON ?? '/usr/bin/python3';
export const TEST_PYTHON = process.env.FIXLOOP_E2E_TEST_PYTHON ?? join(ROOT, '.venv', 'bin', 'python');
// A repair loop on a loaded 2-core machine: a cap, not the expected time.
export const FIX_TIMEOUT = 240000;

export function check(condition, message) {
    if (!condition) {
        throw new Error(message);
    }
}

export function pytest(workspace, testFile) {
    const run = spawnSync(TEST_PYTHON, ['-m', 'pytest', '-q', '-p', 'no:cacheprovider', '-W', 'ignore', testFile], { cwd: workspace, encoding: 'utf8' });
    const output = `${run.stdout}${run.stderr}`.trim();
    return { ok: run.status === 0, output, summary: output.split('\n').filter((line) => /passed|failed|error/.test(line)).pop() ?? output };
}

export function python(workspace, ...args) {
    return spawnSync(TEST_PYTHON, args, { cwd: workspace, encoding: 'utf8' });
}

export async function waitForDiskChange(path, before) {
    return waitFor(
        () => {
            const now = readFileSync(path, 'utf8');
            return now !== before ? now : undefined;
        },
        { what: `${path} to be saved` },
    );
}

/** The text of the active editor as rendered (non-breaking spaces made plain). */
export async function editorText(page) {
    return ((await page.locator('.editor-group-container.active .view-lines').first().textContent()) ?? '').replace(/\u00a0/g, ' ');
}
