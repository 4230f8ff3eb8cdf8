// Benchmark of the VS Code extension in a real VS Code (code-server, as in run.mjs): the .vsix
// size, activation (the extension's own activate() time, the server's start, and opening a
// Python file until the status bar item shows), and the time from running "Fixloop: Debug and
// Fix Selection" to the diff preview on the e2e example (stats.py). The baseline, measured in
// the same run on the same file, is `fixloop fix` from the command line; the ratio shows what
// the editor path adds. Prints medians; asserts nothing about speed. `--quick` does 3 rounds.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FIXTURE, ROOT, sleep, vsixPath, waitFor } from './harness.mjs';
import { Workbench } from './workbench.mjs';

const rounds = process.argv.includes('--quick') ? 3 : 5;
const SERVER_PYTHON = process.env.FIXLOOP_E2E_SERVER_PYTHON ?? '/usr/bin/python3';
const FIXLOOP_CLI = process.env.FIXLOOP_BENCH_CLI ?? join(ROOT, '.venv', 'bin', 'fixloop');

const median = (values) => {
    const sorted = [...values].sort((a, b) => a - b);
    const mid = Math.floor(sorted.length / 2);
    return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const seconds = (ms) => `${(ms / 1000).toFixed(2)} s`;

/** Number of entries in a zip, from its end-of-central-directory record. */
function zipEntries(path) {
    const data = readFileSync(path);
    for (let offset = data.length - 22; offset >= Math.max(0, data.length - 65557); offset--) {
        if (data.readUInt32LE(offset) === 0x06054b50) {
            return data.readUInt16LE(offset + 10);
        }
    }
    return NaN;
}

function cliBaseline() {
    const times = [];
    for (let round = 0; round < rounds; round++) {
        const dir = mkdtempSync(join(tmpdir(), 'fixloop-bench-cli-'));
        cpSync(FIXTURE, dir, { recursive: true });
        const started = Date.now();
        const run = spawnSync(FIXLOOP_CLI, ['fix', 'stats.py', '--lines', '4-6'], { cwd: dir, encoding: 'utf8', env: { ...process.env, FIXLOOP_STATE_DIR: join(dir, '.state') } });
        times.push(Date.now() - started);
        rmSync(dir, { recursive: true, force: true });
        if (run.status !== 0) {
            throw new Error(`fixloop fix failed (${run.status}): ${run.stderr}`);
        }
    }
    return times;
}

async function editorRounds(vscode) {
    const page = vscode.page;
    const openStarted = Date.now();
    await vscode.open('stats.py');
    await page.locator('.statusbar-item', { hasText: 'Fixloop' }).first().waitFor({ timeout: 60000 });
    const openToStatus = Date.now() - openStarted;
    const ready = await waitFor(() => /server ready in (\d+) ms/.exec(vscode.outputChannelLog()), { timeout: 60000, what: 'the server to be ready' });
    const times = [];
    for (let round = 0; round < rounds; round++) {
        await page.locator('.tab', { hasText: /^stats\.py/ }).first().click();
        await vscode.goTo(4, 1);
        await page.keyboard.press('Shift+ArrowDown');
        await page.keyboard.press('Shift+ArrowDown');
        await page.keyboard.press('Shift+End');
        await vscode.palette('Fixloop: Debug and Fix Selection');
        const started = Date.now();
        const diff = page.locator('.monaco-diff-editor').first();
        await diff.waitFor({ state: 'visible', timeout: 120000 });
        times.push(Date.now() - started);
        await page.locator('.editor-actions .action-label[aria-label^="Discard Fix"]').first().click();
        await diff.waitFor({ state: 'detached', timeout: 20000 });
        await sleep(300);
    }
    const activated = /activated in (\d+) ms/.exec(vscode.outputChannelLog());
    return { times, openToStatus, activateMs: Number(activated?.[1] ?? NaN), serverReadyMs: Number(ready[1]) };
}

async function main() {
    const vsix = vsixPath();
    const size = statSync(vsix).size;
    console.log(`bench vscode: ${vsix.split('/').pop()} ${(size / 1024).toFixed(0)} KiB, ${zipEntries(vsix)} files`);
    const cli = cliBaseline();
    const vscode = await Workbench.start({ settings: { 'fixloop.serverPython': SERVER_PYTHON }, label: 'bench' });
    let editor;
    try {
        editor = await editorRounds(vscode);
    } finally {
        await vscode.stop();
        vscode.cleanup();
    }
    console.log(`bench vscode: install .vsix ${vscode.installMs} ms; activate() ${editor.activateMs} ms; server start to ready ${editor.serverReadyMs} ms; open stats.py to status item ${editor.openToStatus} ms`);
    console.log(`bench vscode: command -> diff preview median ${seconds(median(editor.times))} (n=${rounds}: ${editor.times.map(seconds).join(', ')})`);
    console.log(`bench vscode: baseline fixloop fix (CLI, same file) median ${seconds(median(cli))} (n=${rounds}: ${cli.map(seconds).join(', ')})`);
    console.log(`bench vscode: editor/CLI ratio ${(median(editor.times) / median(cli)).toFixed(2)}`);
}

main().catch((error) => {
    console.error(`bench vscode: failed: ${error instanceof Error ? error.stack : error}`);
    process.exitCode = 1;
});
