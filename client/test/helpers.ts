/** Fakes shared by the unit tests: a recording server gateway, secret storage, log sink and the
 * dependencies of the commands with every flow replaced by a recorder. */
import type * as vscode from 'vscode';
import type { CommandDeps } from '../src/commands';
import { FixPreviews } from '../src/diffPreview';
import { type ExecuteOptions, FixRunner, type ServerGateway } from '../src/fixRunner';
import { DocumentStates } from '../src/fixState';
import { type Logger, Redactor, redactingChannel } from '../src/log';
import type { LspTextEdit } from '../src/lspEdits';
import type { Problem } from '../src/problems';
import { ApiKeyStore } from '../src/secrets';
import type { SandboxLabel } from '../src/status';
import { window } from './vscode-stub';

export class RecordingServer implements ServerGateway {
    readonly calls: Array<{ command: string; argument: object; options?: ExecuteOptions }> = [];
    /** Per command: the answer, or a function computing it (a function is always called). */
    readonly responses = new Map<string, unknown>();
    restarts = 0;
    interpreter = { path: '/usr/bin/python3', source: 'path' as const };

    async execute<T>(command: string, argument: object, options?: ExecuteOptions): Promise<T> {
        this.calls.push({ command, argument, options });
        const response = this.responses.get(command);
        const value = typeof response === 'function' ? await (response as (a: object, o?: ExecuteOptions) => unknown)(argument, options) : response;
        return value as T;
    }

    restart(): Promise<boolean> {
        this.restarts++;
        return Promise.resolve(true);
    }

    toWorkspaceEdit(edit: unknown): Promise<vscode.WorkspaceEdit> {
        return Promise.resolve({ converted: edit } as unknown as vscode.WorkspaceEdit);
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
    const redactor = new Redactor();
    const inner = window.createOutputChannel('Fixloop', { log: true });
    return { log: redactingChannel(inner, redactor, () => level), lines: inner.lines, redactor };
}

/** What the recorded command dependencies saw. */
export interface Recorded {
    fixes: Array<{ uri: string; range: unknown }>;
    previewCalls: Array<[string, unknown]>;
    testItems: unknown[];
    transcripts: Array<string | undefined>;
    readOnly: Array<{ name: string; content: string }>;
    sandboxes: SandboxLabel[];
    problems: Problem[];
    failures: unknown[];
}

/** Dependencies for `registerCommands` whose flows only record what they were asked. */
export function recordingDeps(server: RecordingServer, output: vscode.OutputChannel, keys = new ApiKeyStore(new MemorySecrets())): { deps: CommandDeps; recorded: Recorded; lines: string[] } {
    const recorded: Recorded = { fixes: [], previewCalls: [], testItems: [], transcripts: [], readOnly: [], sandboxes: [], problems: [], failures: [] };
    const { log, redactor, lines } = capturingLogger();
    const deps: CommandDeps = {
        server,
        runner: {
            fixDocument: (document, range) => {
                recorded.fixes.push({ uri: document.uri.toString(), range });
                return Promise.resolve('verified');
            },
        },
        previews: {
            apply: (target) => {
                recorded.previewCalls.push(['apply', target]);
                return Promise.resolve('applied');
            },
            discard: (target) => {
                recorded.previewCalls.push(['discard', target]);
                return Promise.resolve();
            },
            showDiff: (target) => {
                recorded.previewCalls.push(['showDiff', target]);
                return Promise.resolve();
            },
        },
        tests: {
            fromTestItem: (item) => {
                recorded.testItems.push(item);
                return Promise.resolve('verified');
            },
        },
        showTranscript: (uri) => {
            recorded.transcripts.push(uri);
            return Promise.resolve();
        },
        openReadOnly: (name, content) => {
            recorded.readOnly.push({ name, content });
            return Promise.resolve();
        },
        keys,
        redactor,
        sandboxUsed: (sandbox) => recorded.sandboxes.push(sandbox),
        log,
        output,
        reportProblem: (problem) => recorded.problems.push(problem),
        reportFailure: (error) => recorded.failures.push(error),
    };
    return { deps, recorded, lines };
}

/** A verified fix as fixloop.fix returns it: `edits` for `uri` at `version` (plus `extra`). */
export function verifiedFixResult(uri: string, version: number, edits: LspTextEdit[], extra: object = {}) {
    return {
        ok: true,
        verified: true,
        summary: 'guard empty xs',
        proof: 'ZeroDivisionError -> exit 0',
        edit: { documentChanges: [{ textDocument: { uri, version }, edits }] },
        ...extra,
    };
}

/** Let pending promise callbacks (message buttons, .then chains) run. */
export function settle(): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, 5));
}

/** The fix flow's parts as the extension wires them: document states, the diff previews (registered)
 * and a runner, all talking to `server`. Problems and transcript requests go to the given sinks. */
export function fixWiring(
    server: RecordingServer,
    reportProblem: (problem: Problem) => void = () => undefined,
    showTranscript: (transcript?: string | null) => Promise<void> = () => Promise.resolve(),
): { states: DocumentStates; previews: FixPreviews; runner: FixRunner } {
    const { log } = capturingLogger();
    const states = new DocumentStates();
    const previews = new FixPreviews(server, states, (edit) => server.toWorkspaceEdit(edit), log);
    previews.register();
    const runner = new FixRunner(server, previews, states, log, reportProblem, showTranscript);
    return { states, previews, runner };
}
