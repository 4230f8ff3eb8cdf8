// A real VS Code for the end-to-end test: code-server 4.96.4 (VS Code 1.96) with the built .vsix
// installed into a throw-away extensions dir, a temp user-data dir and XDG_CONFIG_HOME, driven
// by Playwright in Debian's Chromium. This module owns the lifecycle (install, start, stop; other
// extensions from a folder are packaged with vsce and installed too) and what the test reads
// outside the page (processes, their environment, logs); workbench.mjs adds the UI helpers, and
// the scenarios live in run.mjs, flows_*.mjs and bench.mjs. Every wait is on a state of the page
// or the disk, with a generous cap, never a fixed pause: the suite runs on shared, busy machines.
import { spawn, execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const FIXTURE = join(ROOT, 'tests', 'e2e', 'e2e_workspace');
export const OUTPUT_DIR = join(ROOT, 'test-output', 'e2e');
// The same places scripts/install-code-server.sh installs to, in the same order.
const CODE_SERVER_DIR =
    process.env.FIXLOOP_CODE_SERVER_DIR ??
    [join('/var/cache/fixloop', 'code-server'), join(ROOT, '.cache', 'code-server')].find((dir) => existsSync(join(dir, 'node_modules', 'code-server', 'out', 'node', 'entry.js'))) ??
    join('/var/cache/fixloop', 'code-server');
const ENTRY = join(CODE_SERVER_DIR, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
const CHROMIUM = process.env.FIXLOOP_CHROMIUM ?? '/usr/bin/chromium';
const VSCE = join(ROOT, 'node_modules', '@vscode', 'vsce', 'vsce');
// Settings of scope "machine-overridable" in package.json: code-server, a remote, reads them from
// its Machine settings.
const MACHINE_SETTINGS = ['fixloop.serverPython'];
// How long a step may take on a loaded 2-core machine before it counts as failed.
export const STEP_TIMEOUT = 120000;

export function vsixPath() {
    const version = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version;
    return join(ROOT, `fixloop-${version}.vsix`);
}

function freePort() {
    return new Promise((resolve, reject) => {
        const server = createServer();
        server.once('error', reject);
        server.listen(0, '127.0.0.1', () => {
            const { port } = server.address();
            server.close(() => resolve(port));
        });
    });
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export async function waitFor(check, { timeout = STEP_TIMEOUT, interval = 200, what = 'condition' } = {}) {
    const deadline = Date.now() + timeout;
    for (;;) {
        const value = await check();
        if (value) {
            return value;
        }
        if (Date.now() > deadline) {
            throw new Error(`timed out after ${timeout} ms waiting for ${what}`);
        }
        await sleep(interval);
    }
}

/** Every file under `dir` (recursively), for "the key is nowhere on disk" checks. */
/** Package the extension in `dir` with vsce into `outDir`; returns the .vsix path. */
function packageExtension(dir, outDir) {
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    const out = join(outDir, `${manifest.name}-${manifest.version}.vsix`);
    execFileSync(process.execPath, [VSCE, 'package', '--no-dependencies', '--skip-license', '--allow-missing-repository', '--out', out], {
        cwd: dir,
        stdio: ['ignore', 'pipe', 'pipe'],
    });
    return out;
}

export function filesUnder(dir) {
    const out = [];
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const full = join(dir, entry.name);
        if (entry.isDirectory()) {
            out.push(...filesUnder(full));
        } else if (entry.isFile()) {
            out.push(full);
        }
    }
    return out;
}

/**
 * A running code-server with the extension installed, a copy of the fixture workspace, and a
 * Chromium page on it. `settings` are merged into the user settings.
 */
export class VsCode {
    static async start({ settings = {}, label = 'e2e', extensions = [], env = {} } = {}) {
        if (!existsSync(ENTRY)) {
            throw new Error(`code-server is not installed in ${CODE_SERVER_DIR}: run scripts/install-code-server.sh`);
        }
        const vsix = vsixPath();
        if (!existsSync(vsix)) {
            throw new Error(`${vsix} is missing: run scripts/build-client.sh`);
        }
        const vscode = new this();
        vscode.base = mkdtempSync(join(tmpdir(), `fixloop-${label}-`));
        vscode.workspace = join(vscode.base, 'workspace');
        vscode.userData = join(vscode.base, 'user-data');
        vscode.extensions = join(vscode.base, 'extensions');
        vscode.stateDir = join(vscode.base, 'state');
        cpSync(FIXTURE, vscode.workspace, { recursive: true });
        mkdirSync(join(vscode.userData, 'User'), { recursive: true });
        vscode.settings = settings;
        writeFileSync(
            join(vscode.userData, 'User', 'settings.json'),
            JSON.stringify(
                {
                    'workbench.startupEditor': 'none',
                    'extensions.autoCheckUpdates': false,
                    'extensions.autoUpdate': false,
                    'telemetry.telemetryLevel': 'off',
                    'update.mode': 'none',
                    'security.workspace.trust.enabled': false,
                    'workbench.tips.enabled': false,
                    'editor.minimap.enabled': false,
                    'chat.commandCenter.enabled': false,
                    'files.autoSave': 'off',
                    // Text the test types or inserts lands as it is (settings.json included).
                    'editor.autoClosingBrackets': 'never',
                    'editor.autoClosingQuotes': 'never',
                    'editor.autoIndent': 'none',
                    ...settings,
                },
                null,
                2,
            ),
        );
        // Machine-scoped settings (the server's interpreter) also go where a remote keeps them:
        // once code-server has read its Machine settings, an empty one there wins over the user's.
        const machine = Object.fromEntries(Object.entries(settings).filter(([key]) => MACHINE_SETTINGS.includes(key)));
        mkdirSync(join(vscode.userData, 'Machine'), { recursive: true });
        writeFileSync(join(vscode.userData, 'Machine', 'settings.json'), JSON.stringify(machine, null, 2));
        vscode.env = {
            ...process.env,
            XDG_CONFIG_HOME: join(vscode.base, 'config'),
            XDG_DATA_HOME: join(vscode.base, 'data'),
            FIXLOOP_STATE_DIR: vscode.stateDir,
            ...env,
        };
        delete vscode.env.FIXLOOP_API_KEY;
        const installStarted = Date.now();
        const packages = [vsix, ...extensions.map((dir) => packageExtension(dir, vscode.base))];
        execFileSync(process.execPath, [ENTRY, '--extensions-dir', vscode.extensions, '--user-data-dir', vscode.userData, ...packages.flatMap((file) => ['--install-extension', file])], {
            env: vscode.env,
            stdio: ['ignore', 'pipe', 'pipe'],
        });
        vscode.installMs = Date.now() - installStarted;
        await vscode.launch();
        return vscode;
    }

    async launch() {
        this.port = await freePort();
        this.url = `http://127.0.0.1:${this.port}`;
        this.serverLog = [];
        this.process = spawn(
            process.execPath,
            [ENTRY, '--auth', 'none', '--bind-addr', `127.0.0.1:${this.port}`, '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust', '--extensions-dir', this.extensions, '--user-data-dir', this.userData, this.workspace],
            { env: this.env, stdio: ['ignore', 'pipe', 'pipe'] },
        );
        this.process.stdout.on('data', (chunk) => this.serverLog.push(chunk.toString()));
        this.process.stderr.on('data', (chunk) => this.serverLog.push(chunk.toString()));
        await waitFor(
            async () => {
                try {
                    return (await fetch(`${this.url}/healthz`)).ok;
                } catch {
                    return false;
                }
            },
            { what: 'code-server /healthz' },
        );
        this.browser = await chromium.launch({
            executablePath: CHROMIUM,
            args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
        });
        this.page = await this.browser.newPage({ viewport: { width: 1400, height: 860 } });
        this.openedAt = Date.now();
        await this.page.goto(`${this.url}/?folder=${encodeURIComponent(this.workspace)}`);
        await this.page.waitForSelector('.monaco-workbench', { timeout: 60000 });
    }

    async stop() {
        await this.browser?.close().catch(() => undefined);
        if (this.process && this.process.exitCode === null) {
            this.process.kill('SIGTERM');
            await Promise.race([new Promise((resolve) => this.process.once('exit', resolve)), sleep(5000)]);
            if (this.process.exitCode === null) {
                this.process.kill('SIGKILL');
            }
        }
        // The extension host and the language server can outlive code-server's exit; every
        // process that inherited this instance's state dir is ours, and none may outlive the test.
        for (const pid of this.ownPids()) {
            try {
                process.kill(pid, 'SIGKILL');
            } catch {
                // already gone
            }
        }
    }

    /** PIDs of processes started by this instance (they carry its FIXLOOP_STATE_DIR). */
    ownPids() {
        const marker = `FIXLOOP_STATE_DIR=${this.stateDir}`;
        const pids = [];
        for (const entry of readdirSync('/proc')) {
            if (!/^\d+$/.test(entry) || Number(entry) === process.pid) {
                continue;
            }
            try {
                if (readFileSync(`/proc/${entry}/environ`, 'utf8').split('\0').includes(marker)) {
                    pids.push(Number(entry));
                }
            } catch {
                // ended while we looked, or not ours to read
            }
        }
        return pids;
    }

    cleanup() {
        if (!process.env.FIXLOOP_E2E_KEEP) {
            rmSync(this.base, { recursive: true, force: true });
        }
    }

    /** PIDs of fixloop language servers started from this instance's extensions dir. */
    serverPids() {
        const pids = [];
        for (const entry of readdirSync('/proc')) {
            if (!/^\d+$/.test(entry)) {
                continue;
            }
            try {
                const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
                if (cmdline.some((arg) => arg.startsWith(this.extensions) && arg.endsWith('bootstrap.py'))) {
                    pids.push(Number(entry));
                }
            } catch {
                // the process ended while we looked
            }
        }
        return pids;
    }

    /** The environment of a running language server, as the kernel sees it. */
    serverEnvironment(pid) {
        const env = new Map();
        for (const item of readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0')) {
            const eq = item.indexOf('=');
            if (eq > 0) {
                env.set(item.slice(0, eq), item.slice(eq + 1));
            }
        }
        return env;
    }

    /** The text of the "Fixloop" output channel as VS Code logged it to disk. */
    outputChannelLog() {
        const logs = join(this.userData, 'logs');
        if (!existsSync(logs)) {
            return '';
        }
        return filesUnder(logs)
            .filter((file) => /Fixloop\.log$/.test(file))
            .map((file) => readFileSync(file, 'utf8'))
            .join('\n');
    }

    file(name) {
        return join(this.workspace, name);
    }

}

export { sleep, statSync };
