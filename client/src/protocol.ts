/**
 * The server's command names and result shapes (issue 5). Client command IDs are different
 * (`fixloop.debugSelection` forwards to the server's `fixloop.fix`), because the language client
 * registers the server's own command IDs with VS Code. Results are read defensively: every field
 * is optional here and checked where it is used.
 */
import type { LspRange, LspWorkspaceEdit } from './lspEdits';

export const ServerCommand = {
    fix: 'fixloop.fix',
    runFile: 'fixloop.runFile',
    runTests: 'fixloop.runTests',
    generateTests: 'fixloop.generateTests',
    task: 'fixloop.task',
    cancel: 'fixloop.cancel',
    transcript: 'fixloop.transcript',
} as const;

export interface FixArguments {
    uri: string;
    version: number;
    range?: LspRange;
}

export interface FixCommandResult {
    ok?: boolean;
    stale?: boolean;
    nothingToFix?: boolean;
    verified?: boolean;
    summary?: string;
    proof?: unknown;
    diff?: string;
    edit?: LspWorkspaceEdit | null;
    transcript?: string | null;
    reason?: string | null;
}

export function isFixArguments(value: unknown): value is FixArguments {
    if (!value || typeof value !== 'object') {
        return false;
    }
    const candidate = value as Partial<FixArguments>;
    return typeof candidate.uri === 'string' && typeof candidate.version === 'number';
}

/** What fixloop.runFile found, in one line: "ran clean" or "ZeroDivisionError: division by zero". */
export function describeRun(result: unknown): string {
    if (!result || typeof result !== 'object') {
        return describeResult(result);
    }
    const record = result as Record<string, unknown>;
    const error = record.error as { type?: unknown; message?: unknown; line?: unknown } | null | undefined;
    if (error && typeof error.type === 'string') {
        const where = typeof error.line === 'number' ? ` (line ${error.line})` : '';
        return `${error.type}: ${typeof error.message === 'string' ? error.message : ''}${where}`;
    }
    if (record.ok === true) {
        return `ran clean${typeof record.sandbox === 'string' ? ` in the ${record.sandbox} sandbox` : ''}`;
    }
    return describeResult(result);
}

/** A short, single-line description of any command result, for the status bar and the log. */
export function describeResult(result: unknown): string {
    if (result === null || result === undefined) {
        return 'done';
    }
    if (typeof result === 'string') {
        return firstLine(result);
    }
    if (typeof result === 'object') {
        const record = result as Record<string, unknown>;
        for (const key of ['message', 'summary', 'status', 'reason']) {
            const value = record[key];
            if (typeof value === 'string' && value) {
                return firstLine(value);
            }
        }
        if (typeof record.passed === 'number' || typeof record.failed === 'number') {
            return `${Number(record.passed ?? 0)} passed, ${Number(record.failed ?? 0)} failed`;
        }
    }
    return 'done';
}

function firstLine(text: string): string {
    const line = text.split(/\r?\n/, 1)[0] ?? '';
    return line.length > 200 ? `${line.slice(0, 197)}...` : line;
}
