/**
 * Turn failures into messages a user can act on: a missing interpreter, bubblewrap or Docker
 * engine, or a missing optional Python package (openai, autogen, docker) each get one message
 * naming the problem and the fix, with a button where one helps. Stack traces stay in the
 * output channel; the message shows the last meaningful line at most.
 */
import type { ServerSettings } from './config';

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
const OPEN_SETTING = 'workbench.action.openSettings';

/** Importable module -> what to pip install for it and why fixloop needs it. */
export const OPTIONAL_PACKAGES: Readonly<Record<string, { pip: readonly string[]; purpose: string }>> = {
    openai: { pip: ['openai>=1.40'], purpose: 'the model engine' },
    autogen_agentchat: {
        pip: ['autogen-agentchat>=0.7,<0.8', 'autogen-ext[openai]>=0.7,<0.8', 'autogen-core>=0.7,<0.8'],
        purpose: 'the model engine',
    },
    docker: { pip: ['docker>=7'], purpose: 'the Docker sandbox' },
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

/** A problem for a known failure text, else a plain one-line message. */
export function classifyFailure(text: string, serverInterpreter = 'the server interpreter'): Problem {
    const missingModule = /No module named '?([\w.]+)'?/.exec(text)?.[1]?.split('.')[0];
    if (missingModule && OPTIONAL_PACKAGES[missingModule]) {
        const problem = missingPackagesProblem([missingModule], serverInterpreter);
        if (problem) {
            return problem;
        }
    }
    if (missingModule === 'autogen_ext' || missingModule === 'autogen_core') {
        return missingPackagesProblem(['autogen_agentchat'], serverInterpreter) as Problem;
    }
    const sandboxSetting: ProblemAction = { title: 'Choose Sandbox', command: OPEN_SETTING, args: ['fixloop.sandbox'] };
    if (/\b(bwrap|bubblewrap)\b/i.test(text)) {
        return {
            message: `The bubblewrap sandbox is not available: ${lastMeaningfulLine(text)} Install it (Debian/Ubuntu: sudo apt install bubblewrap) or choose another sandbox in "fixloop.sandbox".`,
            actions: [sandboxSetting],
        };
    }
    if (/docker/i.test(text) && /(engine|daemon|socket|running|unavailable|connect|permission)/i.test(text)) {
        return {
            message: `The Docker sandbox is not available: ${lastMeaningfulLine(text)} Start the Docker engine (sudo systemctl start docker) or choose another sandbox in "fixloop.sandbox".`,
            actions: [sandboxSetting],
        };
    }
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
