/**
 * The server's command names, argument and result shapes, and error codes. Client command IDs
 * are different (`fixloop.debugSelection` forwards to the server's `fixloop.fix`), because the
 * language client registers the server's own command IDs with VS Code. A failed command answers
 * `{ok: false, code, reason}`; the client switches on `code` (see `errorCode`), never on the
 * message text. Results are read defensively: every field is optional and checked where used.
 */
import type { LspRange, LspWorkspaceEdit } from './lspEdits';

export const ServerCommand = {
    fix: 'fixloop.fix',
    fixTest: 'fixloop.fixTest',
    testTarget: 'fixloop.testTarget',
    discard: 'fixloop.discard',
    runFile: 'fixloop.runFile',
    runTests: 'fixloop.runTests',
    generateTests: 'fixloop.generateTests',
    task: 'fixloop.task',
    cancel: 'fixloop.cancel',
    transcript: 'fixloop.transcript',
    sandbox: 'fixloop.sandbox',
} as const;

export const ERROR_CODES = ['sandbox-unavailable', 'missing-package', 'no-model', 'model-config', 'stale', 'cancelled', 'bad-request', 'no-tests', 'no-transcript', 'internal'] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];
export type MissingModelPart = 'model' | 'key';

/** What every failed command answers; the extra fields belong to particular codes. */
export interface CommandFailure {
    ok: false;
    code?: ErrorCode;
    reason?: string | null;
    /** sandbox-unavailable: the configured sandbox. */
    sandbox?: string;
    /** missing-package: the top-level module that could not be imported. */
    module?: string;
    /** no-model: what is missing. */
    missing?: MissingModelPart[];
    /** stale: whether the loop had found a fix before the document changed. */
    fixFound?: boolean;
}

/**
 * The code of a failed command, or undefined when the command did its job. Run File and Run
 * Tests also answer `ok: false` for a failing program or failing tests, without a code: that is
 * their result, not a failure. A code this client does not know yet counts as internal.
 */
export function errorCode(result: unknown): ErrorCode | undefined {
    if (!result || typeof result !== 'object' || (result as { ok?: unknown }).ok !== false) {
        return undefined;
    }
    const code = (result as { code?: unknown }).code;
    if (typeof code !== 'string') {
        return undefined;
    }
    return (ERROR_CODES as readonly string[]).includes(code) ? (code as ErrorCode) : 'internal';
}

export function isFailure(result: unknown): result is CommandFailure {
    return errorCode(result) !== undefined;
}

export type CheckerTool = 'ruff' | 'mypy' | 'pyright' | 'py_compile';

/** Another tool's diagnostic a fix is for (sent by the server's own quick fix). */
export interface CheckerDiagnostic {
    tool: CheckerTool;
    code: string | null;
    line: number;
    message: string;
}

export interface CheckerReport extends CheckerDiagnostic {
    installed: boolean;
    /** Always false until the loop can run the checker as its oracle. */
    checked: boolean;
    note: string;
}

export interface FixArguments {
    uri: string;
    version: number;
    range?: LspRange;
    scope?: 'function';
    /** pytest node ids or files: the oracle (they are never edited). */
    tests?: string[];
    checker?: CheckerDiagnostic;
}

export interface FixCommandResult {
    ok?: boolean;
    code?: ErrorCode;
    stale?: boolean;
    fixFound?: boolean;
    nothingToFix?: boolean;
    verified?: boolean;
    summary?: string;
    proof?: unknown;
    /** What the fix was proven against, as the CLI says it. */
    evidence?: string;
    /** Candidates that pass the same checks disagree on some input: the fix is not proven. */
    uncertain?: boolean;
    /** The first input where they disagree, and what each gave back. */
    disagreement?: string;
    diff?: string;
    edit?: LspWorkspaceEdit | null;
    transcript?: string | null;
    reason?: string | null;
    sandbox?: string;
    checker?: CheckerReport;
    missing?: MissingModelPart[];
    module?: string;
}

/** The failing test a "fix the code under test" starts from: a test file and an id or line. */
export interface TestTargetArguments {
    uri: string;
    test?: string;
    line?: number;
    module?: string;
}

export interface TestTarget {
    ok: true;
    testUri: string;
    test: string;
    module: string;
}

export interface SandboxInfo {
    ok: true;
    configured: string;
    sandbox: string;
    protected: boolean;
    available: boolean;
    reason: string;
}

export interface TranscriptAttempt {
    index: number;
    seconds: number;
    engine: string;
    summary: string;
    verdict: string;
    reason: string;
    lines: [number, number] | null;
    diff: string;
    text: string;
    failing: string[];
    ms: number;
}

export interface TranscriptView {
    path: string;
    uri: string | null;
    file: string;
    oracle: string;
    engines: string[];
    sandbox: string;
    budget: number | null;
    verified: boolean | null;
    proof: string;
    outcome: string;
    failing_before: string[];
    attempts: TranscriptAttempt[];
    events: Array<{ seconds: number; kind: string; text: string }>;
}

export interface TranscriptResult {
    ok: true;
    path: string;
    uri: string | null;
    view: TranscriptView;
    truncated: boolean;
}

export function isFixArguments(value: unknown): value is FixArguments {
    if (!value || typeof value !== 'object') {
        return false;
    }
    const candidate = value as Partial<FixArguments>;
    return typeof candidate.uri === 'string' && typeof candidate.version === 'number';
}

export function isTestTargetArguments(value: unknown): value is TestTargetArguments {
    return !!value && typeof value === 'object' && typeof (value as { uri?: unknown }).uri === 'string';
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
