/** Fakes shared by the unit tests: a recording server gateway, secret storage and log sink. */
import type * as vscode from 'vscode';
import type { ExecuteOptions, ServerGateway } from '../src/fixRunner';
import { Logger, Redactor } from '../src/log';

export class RecordingServer implements ServerGateway {
    readonly calls: Array<{ command: string; argument: object; options?: ExecuteOptions }> = [];
    readonly responses = new Map<string, unknown | ((argument: object, options?: ExecuteOptions) => unknown)>();
    restarts = 0;
    interpreter = { path: '/usr/bin/python3', source: 'path' as const };

    async execute<T>(command: string, argument: object, options?: ExecuteOptions): Promise<T> {
        this.calls.push({ command, argument, options });
        const response = this.responses.get(command);
        const value = typeof response === 'function' ? await (response as (a: object, o?: ExecuteOptions) => unknown)(argument, options) : response;
        return value as T;
    }

    async restart(): Promise<boolean> {
        this.restarts++;
        return true;
    }

    async toWorkspaceEdit(edit: unknown): Promise<vscode.WorkspaceEdit> {
        return { converted: edit } as unknown as vscode.WorkspaceEdit;
    }

    resetMissingReports(): void {}

    commandsCalled(): string[] {
        return this.calls.map((call) => call.command);
    }
}

export class MemorySecrets {
    readonly values = new Map<string, string>();
    get(key: string): Promise<string | undefined> {
        return Promise.resolve(this.values.get(key));
    }
    store(key: string, value: string): Promise<void> {
        this.values.set(key, value);
        return Promise.resolve();
    }
    delete(key: string): Promise<void> {
        this.values.delete(key);
        return Promise.resolve();
    }
    onDidChange = () => ({ dispose() {} });
}

export function capturingLogger(level: 'error' | 'warn' | 'info' | 'debug' = 'debug'): { log: Logger; lines: string[]; redactor: Redactor } {
    const lines: string[] = [];
    const redactor = new Redactor();
    return { log: new Logger({ appendLine: (line) => lines.push(line) }, redactor, level), lines, redactor };
}

/** Let pending promise callbacks (message buttons, .then chains) run. */
export function settle(): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, 5));
}
