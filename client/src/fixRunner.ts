/**
 * One repair loop as the user sees it: a progress notification whose Cancel calls the server's
 * fixloop.cancel, the document's state going from running to verified, no fix or stale, and
 * then either the offer of the verified fix (with its diff in preview mode) or a message saying
 * what happened: cancelled before a fix, dropped because the document changed (with or without
 * a fix found), no fix (with the transcript), or a problem to solve (told apart by the result's
 * error code). The same flow serves the palette commands, the quick-fix actions (which only offer
 * the fix, since the quick-fix menu then carries "Apply verified fix") and the Testing view.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { ClientCommand } from './commands';
import type { FixPreviews } from './diffPreview';
import type { DocumentStates } from './fixState';
import type { Logger } from './log';
import { applyTextEdits, editsForDocument, proofText } from './lspEdits';
import { needsUserAction, problemFor, type Problem } from './problems';
import { errorCode, FixArguments, FixCommandResult, ServerCommand } from './protocol';

export interface ExecuteOptions {
    readonly token?: vscode.CancellationToken;
    readonly onProgress?: (message: string) => void;
}

/** What the flows need from the server: executeCommand with one object argument. */
export interface ServerGateway {
    execute<T>(command: string, argument: object, options?: ExecuteOptions): Promise<T>;
}

export type FixMode = 'preview' | 'quickfix';
export type FixOutcome = 'verified' | 'no-fix' | 'stale' | 'cancelled' | 'failed';

/** How long after Cancel we wait for the loop to report back before abandoning the request. */
const CANCEL_GRACE_MS = 5000;

export class FixRunner {
    constructor(
        private readonly server: ServerGateway,
        private readonly previews: FixPreviews,
        private readonly states: DocumentStates,
        private readonly log: Logger,
        private readonly reportProblem: (problem: Problem) => void,
        private readonly showTranscript: (transcript?: string | null, uri?: string) => Promise<void>,
    ) {}

    /** Fix `range` (or the whole file) of the document as it is now. */
    fixDocument(document: vscode.TextDocument, range: vscode.Range | undefined, mode: FixMode = 'preview'): Promise<FixOutcome> {
        const args: FixArguments = { uri: document.uri.toString(), version: document.version };
        if (range && !range.isEmpty) {
            args.range = {
                start: { line: range.start.line, character: range.start.character },
                end: { line: range.end.line, character: range.end.character },
            };
        }
        return this.run(args, mode);
    }

    /** Run the loop for these arguments (from a palette command, a quick fix or a test). */
    async run(args: FixArguments, mode: FixMode): Promise<FixOutcome> {
        const uri = vscode.Uri.parse(args.uri);
        const key = uri.toString();
        const name = path.basename(uri.fsPath);
        const document = vscode.workspace.textDocuments.find((doc) => doc.uri.toString() === key);
        // The text the fix is computed on; the preview diffs against exactly this.
        const original = document?.getText() ?? '';
        this.states.set(key, 'running', `Debugging ${name}${args.tests?.length ? ` against ${args.tests.join(', ')}` : ''}`);
        this.log.info(`fix ${name} v${args.version}${args.range ? ` lines ${args.range.start.line + 1}-${args.range.end.line + 1}` : ''}${args.tests ? ` tests ${args.tests.join(' ')}` : ''}`);
        let cancelled = false;
        let result: FixCommandResult;
        try {
            result = await vscode.window.withProgress(
                { location: vscode.ProgressLocation.Notification, title: `Fixloop: debugging ${name}`, cancellable: true },
                async (progress, token) => {
                    const request = new vscode.CancellationTokenSource();
                    let abandon: ReturnType<typeof setTimeout> | undefined;
                    const onCancel = token.onCancellationRequested(() => {
                        cancelled = true;
                        this.log.info(`cancel requested for ${name}`);
                        this.server.execute(ServerCommand.cancel, { uri: args.uri }).catch((error) => this.log.warn(`cancel failed: ${String(error)}`));
                        abandon = setTimeout(() => request.cancel(), CANCEL_GRACE_MS);
                    });
                    try {
                        return await this.server.execute<FixCommandResult>(ServerCommand.fix, args, {
                            token: request.token,
                            onProgress: (message) => progress.report({ message }),
                        });
                    } finally {
                        clearTimeout(abandon);
                        onCancel.dispose();
                        request.dispose();
                    }
                },
            );
        } catch (error) {
            if (cancelled) {
                return this.reportCancelled(key, name);
            }
            this.states.set(key, 'error', String(error));
            this.reportProblem({ message: `Fixloop could not run the loop on ${name}: ${String(error)}`, actions: [] });
            return 'failed';
        }
        result = result ?? {};
        const code = errorCode(result);
        if ((cancelled || code === 'cancelled') && !result.verified) {
            return this.reportCancelled(key, name, cancelled);
        }
        if (code === 'stale') {
            return this.reportStale(uri, name, args, mode, result.fixFound === true);
        }
        if (code !== undefined && (needsUserAction({ ...result, ok: false }) || code === 'internal' || code === 'bad-request')) {
            this.states.set(key, 'error', result.reason ?? code);
            this.reportProblem(problemFor({ ...result, ok: false }));
            return 'failed';
        }
        if (!result.verified) {
            return this.reportNoFix(name, args.uri, result);
        }
        return this.offer(args, uri, name, original, result, mode);
    }

    private async offer(args: FixArguments, uri: vscode.Uri, name: string, original: string, result: FixCommandResult, mode: FixMode): Promise<FixOutcome> {
        const key = uri.toString();
        const proof = result.evidence || proofText(result.proof);
        const summary = result.summary || 'verified fix';
        const uncertain = result.uncertain === true;
        const edits = editsForDocument(result.edit, args.uri);
        const current = vscode.workspace.textDocuments.find((doc) => doc.uri.toString() === key);
        if (!edits || !result.edit) {
            this.states.set(key, 'error', 'the server sent a verified fix without an edit');
            this.log.error(`verified fix for ${name} came without an edit for ${args.uri}`);
            return 'failed';
        }
        if (!current || current.version !== args.version) {
            return this.reportStale(uri, name, args, mode, true);
        }
        let fixed: string;
        try {
            fixed = applyTextEdits(original, edits.edits);
        } catch (error) {
            this.states.set(key, 'error', String(error));
            this.log.error(`could not preview the fix for ${name}: ${String(error)}`);
            return 'failed';
        }
        // A fix for another tool's error is proved by the tests or a run; say so when it was.
        let caveat = result.checker ? ` Note: ${result.checker.note}.` : '';
        if (uncertain) {
            caveat += ` Candidates that pass the same checks disagree${result.disagreement ? ` on ${result.disagreement}` : ''}: check it before you apply it.`;
        }
        if (proof.startsWith('runs without error')) {
            // Proven by a clean run only: tests would pin down what the code should do.
            caveat += ` No tests cover it: [Generate Tests](command:${ClientCommand.generateTests}) for this file to pin its behaviour.`;
        }
        this.states.set(key, 'verified', `${summary} (${proof}).${caveat}`);
        const found = uncertain ? `Fixloop found an uncertain fix for ${name}` : `Fixloop verified a fix for ${name}`;
        const prompt =
            mode === 'preview'
                ? `${found}: ${summary} (${proof}).${caveat}`
                : `${found}: ${summary} (${proof}). Apply it here or from the quick-fix menu ("Apply ${uncertain ? 'uncertain' : 'verified'} fix").${caveat}`;
        await this.previews.show(
            {
                uri,
                version: args.version,
                original,
                fixed,
                proof,
                summary,
                uncertain,
                edit: result.edit,
                rerun: () => void this.rerun(uri, args, mode),
            },
            { openDiff: mode === 'preview', prompt },
        );
        return 'verified';
    }

    private reportCancelled(key: string, name: string, byUser = true): FixOutcome {
        this.states.set(key, 'idle', 'The last loop was cancelled before it found a fix.');
        this.log.info(`loop on ${name} cancelled`);
        if (byUser) {
            void vscode.window.showInformationMessage(`Fixloop: cancelled the loop on ${name} before it found a fix.`);
        }
        return 'cancelled';
    }

    private reportStale(uri: vscode.Uri, name: string, args: FixArguments, mode: FixMode, fixFound: boolean): FixOutcome {
        const what = fixFound
            ? `${name} changed while Fixloop was working, so the fix it found (for the old text) was dropped.`
            : `${name} changed while Fixloop was working, so the loop stopped before it found a fix.`;
        this.states.set(uri.toString(), 'stale', what);
        this.log.info(`fix for ${name} dropped: the document changed during the loop (fix found: ${fixFound})`);
        void vscode.window.showWarningMessage(`${what} Run the loop again on the current text?`, 'Re-run').then((choice) => {
            if (choice === 'Re-run') {
                void this.rerun(uri, args, mode);
            }
        });
        return 'stale';
    }

    private reportNoFix(name: string, uri: string, result: FixCommandResult): FixOutcome {
        const reason = result.nothingToFix
            ? `nothing to fix: ${result.reason || 'the code already runs clean'}`
            : result.reason || 'the loop ended without a fix that passes its check';
        this.states.set(uri, 'no-fix', reason);
        this.log.info(`no verified fix for ${name}: ${reason}`);
        void vscode.window.showWarningMessage(`Fixloop found no verified fix for ${name}: ${reason}`, 'Show Transcript').then((choice) => {
            if (choice === 'Show Transcript') {
                void this.showTranscript(result.transcript, uri);
            }
        });
        return 'no-fix';
    }

    private async rerun(uri: vscode.Uri, previous: FixArguments, mode: FixMode): Promise<FixOutcome> {
        const document = await vscode.workspace.openTextDocument(uri);
        return this.run({ ...previous, version: document.version }, mode);
    }
}
