/**
 * The extension's settings. Their one definition is `contributes.configuration` in package.json,
 * which esbuild bundles from the manifest: the names, defaults and types here are derived from it,
 * and the server's `Settings` is generated from the same schema (scripts/generate_settings.py).
 * The server settings are sent as initializationOptions and served on workspace/configuration
 * for the "fixloop" section; `serverPython` and `logLevel` only concern the client. The
 * interpreter for user code (`python`) falls back to the Python extension's active interpreter
 * when unset.
 */
import manifest from '../../package.json';
import { isLogLevel, LogLevel } from './log';

export const SECTION = 'fixloop';

type Properties = typeof manifest.contributes.configuration.properties;
type SettingName<K> = K extends `${typeof SECTION}.${infer Name}` ? Name : never;

/** Settings only the client reads; every other contributed setting is a server setting. */
export const CLIENT_SETTING_KEYS = ['serverPython', 'logLevel'] as const;
type ClientSettingKey = (typeof CLIENT_SETTING_KEYS)[number];

export type ServerSettingKey = Exclude<SettingName<keyof Properties>, ClientSettingKey>;
export type ServerSettings = { [K in ServerSettingKey]: Properties[`${typeof SECTION}.${K}`]['default'] };

const PROPERTIES: Readonly<Record<string, { readonly default: unknown }>> = manifest.contributes.configuration.properties;

function manifestDefault(key: string): unknown {
    return PROPERTIES[`${SECTION}.${key}`]?.default;
}

export const SERVER_SETTING_KEYS = Object.keys(PROPERTIES)
    .map((key) => key.slice(SECTION.length + 1))
    .filter((key) => !(CLIENT_SETTING_KEYS as readonly string[]).includes(key)) as ServerSettingKey[];

export const SERVER_SETTING_DEFAULTS = Object.fromEntries(SERVER_SETTING_KEYS.map((key) => [key, manifestDefault(key)])) as ServerSettings;

export interface ClientSettings {
    readonly serverPython: string;
    readonly logLevel: LogLevel;
}

export const CLIENT_SETTING_DEFAULTS: ClientSettings = {
    serverPython: manifestDefault('serverPython') as string,
    logLevel: manifestDefault('logLevel') as LogLevel,
};

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
