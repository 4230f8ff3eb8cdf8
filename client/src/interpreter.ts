/**
 * Which Python runs what. The server's interpreter is the `fixloop.serverPython` setting, else
 * the Python extension's active interpreter (when ms-python.python is installed), else `python3`
 * on PATH. The interpreter for user code is the `fixloop.python` setting, else the Python
 * extension's active interpreter, else empty (the server then uses its own). Everything here
 * takes its environment as arguments so the choice can be tested without VS Code.
 */
import { execFile } from 'node:child_process';
import { constants as fsConstants, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { PythonExtension } from '@vscode/python-extension';
import type * as vscode from 'vscode';

export type InterpreterSource = 'setting' | 'python-extension' | 'path';

export interface InterpreterChoice {
    readonly path: string;
    readonly source: InterpreterSource;
}

/** The slice of the Python extension we use, adapted from its public API. */
export interface ActiveInterpreterProvider {
    activeInterpreter(resource?: vscode.Uri): Promise<string | undefined>;
    onDidChange(listener: () => void): vscode.Disposable;
}

export const MIN_PYTHON: readonly [number, number] = [3, 10];

export async function resolveServerInterpreter(
    setting: string,
    python: ActiveInterpreterProvider | undefined,
    findOnPath: (name: string) => Promise<string | undefined>,
    resource?: vscode.Uri,
): Promise<InterpreterChoice | undefined> {
    if (setting) {
        return { path: setting, source: 'setting' };
    }
    const active = await python?.activeInterpreter(resource).catch(() => undefined);
    if (active) {
        return { path: active, source: 'python-extension' };
    }
    for (const name of ['python3', 'python']) {
        const found = await findOnPath(name);
        if (found) {
            return { path: found, source: 'path' };
        }
    }
    return undefined;
}

export async function resolveUserCodeInterpreter(
    setting: string,
    python: ActiveInterpreterProvider | undefined,
    resource?: vscode.Uri,
): Promise<string> {
    if (setting) {
        return setting;
    }
    return (await python?.activeInterpreter(resource).catch(() => undefined)) ?? '';
}

/** `which`: the first executable file called `name` in the PATH list. */
export async function findExecutableOnPath(
    name: string,
    pathList: string | undefined = process.env.PATH,
): Promise<string | undefined> {
    for (const dir of (pathList ?? '').split(path.delimiter)) {
        if (!dir) {
            continue;
        }
        const candidate = path.join(dir, name);
        try {
            await fs.access(candidate, fsConstants.X_OK);
            if ((await fs.stat(candidate)).isFile()) {
                return candidate;
            }
        } catch {
            // not here; keep looking
        }
    }
    return undefined;
}

export type ProbeResult =
    | { readonly ok: true; readonly version: string; readonly missingModules: readonly string[] }
    | { readonly ok: false; readonly problem: 'not-found' | 'too-old' | 'broken'; readonly detail: string };

/**
 * Ask an interpreter for its version and which of `modules` it cannot import, without importing
 * them (find_spec only), so the probe stays fast even for heavy packages.
 */
export function probeInterpreter(interpreter: string, modules: readonly string[], timeoutMs = 15000): Promise<ProbeResult> {
    const script = [
        'import importlib.util, json, sys',
        'def missing(name):',
        '    try:',
        '        return importlib.util.find_spec(name) is None',
        '    except Exception:',
        '        return True',
        `mods = ${JSON.stringify(modules)}`,
        'print(json.dumps({"version": list(sys.version_info[:3]), "missing": [m for m in mods if missing(m)]}))',
    ].join('\n');
    return new Promise((resolve) => {
        execFile(interpreter, ['-c', script], { timeout: timeoutMs }, (error, stdout, stderr) => {
            if (error) {
                const code = (error as NodeJS.ErrnoException).code;
                if (code === 'ENOENT' || code === 'EACCES') {
                    resolve({ ok: false, problem: 'not-found', detail: `${interpreter}: ${code}` });
                } else {
                    resolve({ ok: false, problem: 'broken', detail: (stderr || error.message).trim().split('\n').slice(-1)[0] ?? '' });
                }
                return;
            }
            try {
                const parsed = JSON.parse(stdout.trim().split('\n').slice(-1)[0] ?? '') as { version: number[]; missing: string[] };
                const [major = 0, minor = 0] = parsed.version;
                const version = parsed.version.join('.');
                if (major < MIN_PYTHON[0] || (major === MIN_PYTHON[0] && minor < MIN_PYTHON[1])) {
                    resolve({ ok: false, problem: 'too-old', detail: version });
                } else {
                    resolve({ ok: true, version, missingModules: parsed.missing });
                }
            } catch {
                resolve({ ok: false, problem: 'broken', detail: `unexpected output: ${stdout.slice(0, 200)}` });
            }
        });
    });
}

/** How the Python extension's typed API is obtained; `PythonExtension.api` in the extension. */
export type PythonApiLoader = () => Promise<PythonExtension>;

/**
 * The active interpreter through the Python extension's published API (`@vscode/python-extension`),
 * or undefined when the extension is absent, disabled or fails to load, so fixloop keeps working
 * without it.
 */
export async function pythonExtensionProvider(loadApi: PythonApiLoader = () => PythonExtension.api()): Promise<ActiveInterpreterProvider | undefined> {
    let api: PythonExtension;
    try {
        api = await loadApi();
        await api.ready;
    } catch {
        return undefined;
    }
    if (!api.environments) {
        return undefined; // a Python extension from before its environments API: treat as absent
    }
    return {
        async activeInterpreter(resource) {
            const active = api.environments.getActiveEnvironmentPath(resource);
            const resolved = await api.environments.resolveEnvironment(active);
            return resolved?.executable.uri?.fsPath ?? active.path;
        },
        onDidChange(listener) {
            return api.environments.onDidChangeActiveEnvironmentPath(() => listener());
        },
    };
}
