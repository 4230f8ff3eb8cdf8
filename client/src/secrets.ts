/**
 * The model API key. It lives in VS Code's SecretStorage and reaches the server only through
 * the server process's environment (FIXLOOP_API_KEY); it is never written to settings, logs or
 * the output channel. Setting or clearing it fires `onDidChange`, which restarts the server so
 * the new environment takes effect.
 */
import type * as vscode from 'vscode';

export const API_KEY_SECRET = 'fixloop.apiKey';
export const API_KEY_ENV = 'FIXLOOP_API_KEY';

export class ApiKeyStore {
    private readonly listeners = new Set<() => void>();

    constructor(private readonly storage: vscode.SecretStorage) {}

    async get(): Promise<string | undefined> {
        const value = await this.storage.get(API_KEY_SECRET);
        return value || undefined;
    }

    async set(key: string): Promise<void> {
        await this.storage.store(API_KEY_SECRET, key);
        this.fire();
    }

    async clear(): Promise<boolean> {
        const had = (await this.get()) !== undefined;
        await this.storage.delete(API_KEY_SECRET);
        if (had) {
            this.fire();
        }
        return had;
    }

    onDidChange(listener: () => void): vscode.Disposable {
        this.listeners.add(listener);
        return { dispose: () => this.listeners.delete(listener) };
    }

    private fire(): void {
        for (const listener of [...this.listeners]) {
            listener();
        }
    }
}

/**
 * The server's environment: the extension host's own, plus the key when one is stored. A key in
 * the inherited environment stays (the user put it there), but ours wins when both exist.
 */
export function serverEnvironment(base: NodeJS.ProcessEnv, apiKey: string | undefined): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = { ...base, PYTHONUNBUFFERED: '1' };
    if (apiKey) {
        env[API_KEY_ENV] = apiKey;
    }
    return env;
}

/** Normalise what the user typed; undefined means "nothing usable". */
export function cleanApiKey(input: string | undefined): string | undefined {
    const key = input?.trim();
    if (!key || /[\s\0]/.test(key)) {
        return undefined;
    }
    return key;
}

export function validateApiKeyInput(input: string): string | undefined {
    const key = input.trim();
    if (!key) {
        return undefined; // empty is allowed while typing; an empty submit just cancels
    }
    return /[\s\0]/.test(key) ? 'An API key has no spaces or line breaks.' : undefined;
}
