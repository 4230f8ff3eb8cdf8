/**
 * Turn failures into messages a user can act on: a missing interpreter, bubblewrap or Docker
 * engine, model or key, or a missing optional Python package (openai, autogen, docker) each get
 * one message naming the problem and the fix, with a button where one helps. Server failures are
 * told apart by their error code, not their text. Stack traces stay in the output channel; the
 * message shows the last meaningful line at most. The pins of the optional packages come from
 * pyproject.toml, through client/src/optionalPins.json (scripts/generate_settings.py).
 */
import type { ServerSettings } from './config';
import optionalPins from './optionalPins.json';
import { type CommandFailure, errorCode, type MissingModelPart } from './protocol';

export interface ProblemAction {
    readonly title: string;
    readonly command: string;
    readonly args?: readonly unknown[];
}

export interface Problem {
    readonly message: string;
    readonly actions: readonly ProblemAction[];
}

export const INSTALL_OPTIONAL_COMMAND = 'fixloop.installOptionalPackages';
export const SET_API_KEY_COMMAND = 'fixloop.setApiKey';
const OPEN_SETTING = 'workbench.action.openSettings';

/** Distribution name -> its requirement as pyproject.toml pins it (its `llm` and `docker` extras). */
export const OPTIONAL_PINS: Readonly<Record<string, string>> = optionalPins;

function pinned(...distributions: string[]): string[] {
    return distributions.map((name) => {
        const pin = OPTIONAL_PINS[name];
        if (!pin) {
            throw new Error(`optionalPins.json has no pin for ${name}; run scripts/generate_settings.py`);
        }
        return pin;
    });
}

/** Importable module -> what to pip install for it (pins from pyproject.toml) and why fixloop needs it. */
export const OPTIONAL_PACKAGES: Readonly<Record<string, { pip: readonly string[]; purpose: string }>> = {
    openai: { pip: pinned('openai'), purpose: 'the model engine' },
    autogen_agentchat: { pip: pinned('autogen-agentchat', 'autogen-ext', 'autogen-core'), purpose: 'the model engine' },
    docker: { pip: pinned('docker'), purpose: 'the Docker sandbox' },
};

/** The optional modules these settings will need on the server's interpreter. */
export function neededOptionalModules(settings: Pick<ServerSettings, 'engine' | 'model' | 'sandbox'>): string[] {
    const modules: string[] = [];
    if (settings.engine === 'llm' || (settings.engine === 'auto' && settings.model)) {
        modules.push('openai', 'autogen_agentchat');
    }
    if (settings.sandbox === 'docker') {
        modules.push('docker');
    }
    return modules;
}

export function pipArguments(modules: readonly string[]): string[] {
    const specs = modules.flatMap((module) => OPTIONAL_PACKAGES[module]?.pip ?? []);
    return ['-m', 'pip', 'install', '--disable-pip-version-check', ...new Set(specs)];
}

export function missingPackagesProblem(modules: readonly string[], interpreter: string): Problem | undefined {
    const known = modules.filter((module) => OPTIONAL_PACKAGES[module]);
    if (known.length === 0) {
        return undefined;
    }
    const names = [...new Set(known.flatMap((m) => OPTIONAL_PACKAGES[m]?.pip.map((spec) => spec.split(/[<>=[]/)[0]) ?? []))];
    const purposes = [...new Set(known.map((m) => OPTIONAL_PACKAGES[m]?.purpose))].join(' and ');
    return {
        message: `Fixloop needs ${names.join(', ')} for ${purposes}, and ${interpreter} does not have ${names.length > 1 ? 'them' : 'it'}. Install into that interpreter, or change the fixloop.engine / fixloop.sandbox setting.`,
        actions: [
            { title: 'Install', command: INSTALL_OPTIONAL_COMMAND, args: [known] },
            { title: 'Open Settings', command: OPEN_SETTING, args: ['fixloop'] },
        ],
    };
}

export function interpreterProblem(kind: 'none' | 'not-found' | 'too-old' | 'broken', interpreter: string, detail = ''): Problem {
    const settingHint = 'Set "fixloop.serverPython" to a Python 3.10+ interpreter, or select one with the Python extension.';
    const message = {
        none: `Fixloop could not find Python: no python3 on PATH and no interpreter selected. ${settingHint}`,
        'not-found': `Fixloop could not start its server: the interpreter "${interpreter}" does not exist or is not executable. ${settingHint}`,
        'too-old': `Fixloop needs Python 3.10 or newer, but "${interpreter}" is Python ${detail}. ${settingHint}`,
        broken: `Fixloop could not run "${interpreter}" (${detail}). ${settingHint}`,
    }[kind];
    return { message, actions: [{ title: 'Open Settings', command: OPEN_SETTING, args: ['fixloop.serverPython'] }] };
}

const SANDBOX_NAMES: Readonly<Record<string, string>> = { bwrap: 'bubblewrap', docker: 'Docker', local: 'local', auto: 'automatic' };
const SANDBOX_REMEDY: Readonly<Record<string, string>> = {
    bwrap: 'Install it (Debian/Ubuntu: sudo apt install bubblewrap) or choose another sandbox in "fixloop.sandbox".',
    docker: 'Start the Docker engine (sudo systemctl start docker) or choose another sandbox in "fixloop.sandbox".',
};

function sandboxProblem(sandbox: string | undefined, reason: string): Problem {
    const name = SANDBOX_NAMES[sandbox ?? ''] ?? sandbox ?? 'chosen';
    const remedy = SANDBOX_REMEDY[sandbox ?? ''] ?? 'Check "fixloop.python" and "fixloop.sandbox".';
    return {
        message: `The ${name} sandbox is not available: ${lastMeaningfulLine(reason)} ${remedy}`,
        actions: [{ title: 'Choose Sandbox', command: OPEN_SETTING, args: ['fixloop.sandbox'] }],
    };
}

function packageProblem(module: string | undefined, reason: string, serverInterpreter: string): Problem {
    const known = module === 'autogen_ext' || module === 'autogen_core' ? 'autogen_agentchat' : module;
    const problem = known ? missingPackagesProblem([known], serverInterpreter) : undefined;
    return problem ?? { message: `Fixloop is missing a Python package: ${lastMeaningfulLine(reason)}`, actions: [] };
}

/** "Set API Key" where the key is missing, "Open Settings" on the model setting where it is. */
function modelProblem(missing: readonly MissingModelPart[], reason: string): Problem {
    const actions: ProblemAction[] = [];
    if (missing.includes('key')) {
        actions.push({ title: 'Set API Key', command: SET_API_KEY_COMMAND });
    }
    if (missing.includes('model') || missing.length === 0) {
        actions.push({ title: 'Open Settings', command: OPEN_SETTING, args: ['fixloop.model'] });
    }
    return { message: `Fixloop: ${lastMeaningfulLine(reason)}`, actions };
}

/** The problem for a failed command, chosen by its error code (never by its message text). */
export function problemFor(failure: CommandFailure, serverInterpreter = 'the server interpreter'): Problem {
    const reason = failure.reason || 'the command failed';
    switch (errorCode(failure)) {
        case 'sandbox-unavailable':
            return sandboxProblem(failure.sandbox, reason);
        case 'missing-package':
            return packageProblem(failure.module, reason, serverInterpreter);
        case 'no-model':
            return modelProblem(failure.missing ?? [], reason);
        case 'model-config':
            return {
                message: `Fixloop: the model endpoint refused the configuration: ${lastMeaningfulLine(reason)}`,
                actions: [
                    { title: 'Set API Key', command: SET_API_KEY_COMMAND },
                    { title: 'Open Settings', command: OPEN_SETTING, args: ['fixloop'] },
                ],
            };
        case 'no-tests':
            return { message: `Fixloop: ${lastMeaningfulLine(reason)}`, actions: [{ title: 'Open Settings', command: OPEN_SETTING, args: ['fixloop.testCommand'] }] };
        default:
            return { message: `Fixloop: ${lastMeaningfulLine(reason)}`, actions: [] };
    }
}

/** Does this failure need the user to change something (rather than mean "no fix")? */
export function needsUserAction(failure: CommandFailure): boolean {
    const code = errorCode(failure);
    return code === 'sandbox-unavailable' || code === 'missing-package' || code === 'no-model' || code === 'model-config';
}

/** A thrown error (the request itself failed): its last meaningful line, no stack trace. */
export function problemForError(error: unknown): Problem {
    const text = error instanceof Error ? error.message : String(error);
    return { message: `Fixloop: ${lastMeaningfulLine(text)}`, actions: [] };
}

/** The line of an error text a person should read: the last one that is not a traceback frame. */
export function lastMeaningfulLine(text: string): string {
    const lines = text
        .split(/\r?\n/)
        .map((line) => line.trim())
        .filter((line) => line && !line.startsWith('Traceback') && !line.startsWith('File "') && !/^\^+$/.test(line));
    const line = lines[lines.length - 1] ?? 'unknown error';
    const sentence = line.length > 300 ? `${line.slice(0, 297)}...` : line;
    return /[.!?]$/.test(sentence) ? sentence : `${sentence}.`;
}
