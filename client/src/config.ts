/**
 * The extension's settings, one to one with the server's `Settings` dataclass
 * (server/fixloop/settings.py) and with `contributes.configuration` in package.json. The server
 * settings are sent as initializationOptions and served on workspace/configuration for the
 * "fixloop" section; `serverPython` and `logLevel` only concern the client. The interpreter for
 * user code (`python`) falls back to the Python extension's active interpreter when unset.
 */
import { isLogLevel, LogLevel } from './log';

export const SECTION = 'fixloop';

export const SERVER_SETTING_DEFAULTS = {
    engine: 'auto',
    sandbox: 'auto',
    python: '',
    timeout: 10,
    memory: 1024,
    budget: 60,
    maxTurns: 6,
    model: '',
    baseUrl: '',
    testCommand: '',
    runOnSave: false,
    network: false,
    dockerImage: 'python:3.12-slim',
    allowShell: false,
};

export type ServerSettings = typeof SERVER_SETTING_DEFAULTS;
export type ServerSettingKey = keyof ServerSettings;
export const SERVER_SETTING_KEYS = Object.keys(SERVER_SETTING_DEFAULTS) as ServerSettingKey[];

export const CLIENT_SETTING_DEFAULTS = {
    serverPython: '',
    logLevel: 'info' as LogLevel,
};
export type ClientSettings = typeof CLIENT_SETTING_DEFAULTS;

/** The part of vscode.WorkspaceConfiguration we read; a plain object works in tests. */
export interface ConfigurationReader {
    get<T>(key: string): T | undefined;
}

/**
 * Server settings as the server should see them. Values of the wrong type fall back to their
 * defaults here as well, so the server receives well-typed JSON; range checks stay on the
 * server, which reports them to the user.
 */
export function readServerSettings(config: ConfigurationReader, activeInterpreter?: string): ServerSettings {
    const out: Record<string, unknown> = {};
    for (const key of SERVER_SETTING_KEYS) {
        const fallback = SERVER_SETTING_DEFAULTS[key];
        const value = config.get<unknown>(key);
        out[key] = typeof value === typeof fallback ? value : fallback;
    }
    const settings = out as ServerSettings;
    if (!settings.python && activeInterpreter) {
        settings.python = activeInterpreter;
    }
    return settings;
}

export function readClientSettings(config: ConfigurationReader): ClientSettings {
    const serverPython = config.get<unknown>('serverPython');
    const logLevel = config.get<unknown>('logLevel');
    return {
        serverPython: typeof serverPython === 'string' ? serverPython.trim() : '',
        logLevel: isLogLevel(logLevel) ? logLevel : CLIENT_SETTING_DEFAULTS.logLevel,
    };
}

/** Does this settings change need a new server process (rather than a configuration update)? */
export function needsRestart(affects: (setting: string) => boolean): boolean {
    return affects(`${SECTION}.serverPython`);
}

/** `${workspaceFolder}`, `${userHome}` and a leading `~` in path settings, as VS Code users expect. */
export function expandPath(value: string, workspaceFolder: string | undefined, home: string): string {
    let out = value.trim();
    if (out === '~' || out.startsWith('~/')) {
        out = home + out.slice(1);
    }
    out = out.split('${userHome}').join(home);
    if (workspaceFolder !== undefined) {
        out = out.split('${workspaceFolder}').join(workspaceFolder);
    }
    return out;
}
