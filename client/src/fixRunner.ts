/**
 * One repair loop as the user sees it: a progress notification whose Cancel calls the server's
 * fixloop.cancel, the status bar going from running to verified or no fix, and then either the
 * diff preview of the verified fix or a message saying why there is none, with a link to the
 * transcript. The same flow serves the palette commands and the quick-fix "Debug and fix"
 * action (which only offers the fix, since the quick-fix menu then carries "Apply verified fix").
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { FixPreviews } from './diffPreview';
import type { Logger } from './log';
import { applyTextEdits, editsForDocument, proofText } from './lspEdits';
import { classifyFailure } from './problems';
import { FixArguments, FixCommandResult, ServerCommand } from './protocol';
import type { StatusIndicator } from './status';

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
        private readonly status: StatusIndicator,
        private readonly log: Logger,
        private readonly reportFailure: (error: unknown) => void,
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

    /** Run the loop for arguments that came from the server (the quick-fix command). */
    async run(args: FixArguments, mode: FixMode): Promise<FixOutcome> {
        const uri = vscode.Uri.parse(args.uri);
        const name = path.basename(uri.fsPath);
        const document = vscode.workspace.textDocuments.find((doc) => doc.uri.toString() === uri.toString());
        // The text the fix is computed on; the preview diffs against exactly this.
        const original = document?.getText() ?? '';
        this.status.set('running', `Debugging ${name}`);
        this.log.info(`fix ${name} v${args.version}${args.range ? ` lines ${args.range.start.line + 1}-${args.range.end.line + 1}` : ''}`);
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
                        void this.server.execute(ServerCommand.cancel, { uri: args.uri }).catch((error) => this.log.warn(`cancel failed: ${String(error)}`));
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
                this.status.set('idle');
                return 'cancelled';
            }
            this.status.set('error', String(error));
            this.reportFailure(error);
            return 'failed';
        }
        result = result ?? {};
        if (cancelled && !result.verified) {
            this.status.set('idle');
            void vscode.window.showInformationMessage(`Fixloop: cancelled the loop on ${name}.`);
            return 'cancelled';
        }
        if (result.stale) {
            return this.reportStale(uri, name, args, mode);
        }
        if (result.ok === false && result.reason && this.isEnvironmentProblem(result.reason)) {
            this.status.set('error', result.reason);
            this.reportFailure(new Error(result.reason));
            return 'failed';
        }
        if (!result.verified) {
            return this.reportNoFix(name, args.uri, result);
        }
        return this.offer(args, uri, name, original, result, mode);
    }

    private async offer(args: FixArguments, uri: vscode.Uri, name: string, original: string, result: FixCommandResult, mode: FixMode): Promise<FixOutcome> {
        const proof = proofText(result.proof);
        const summary = result.summary || 'verified fix';
        const edits = editsForDocument(result.edit, args.uri);
        const current = vscode.workspace.textDocuments.find((doc) => doc.uri.toString() === uri.toString());
        if (!edits || !result.edit) {
            this.status.set('error', 'the server sent a verified fix without an edit');
            this.log.error(`verified fix for ${name} came without an edit for ${args.uri}`);
            return 'failed';
        }
        if (!current || current.version !== args.version) {
            return this.reportStale(uri, name, args, mode);
        }
        let fixed: string;
        try {
            fixed = applyTextEdits(original, edits.edits);
        } catch (error) {
            this.status.set('error', String(error));
            this.log.error(`could not preview the fix for ${name}: ${String(error)}`);
            return 'failed';
        }
        this.status.set('verified', `${summary} (${proof})`);
        const prompt =
            mode === 'preview'
                ? `Fixloop verified a fix for ${name}: ${summary} (${proof}).`
                : `Fixloop verified a fix for ${name}: ${summary} (${proof}). Apply it here or from the quick-fix menu ("Apply verified fix").`;
        await this.previews.show(
            {
                uri,
                version: args.version,
                original,
                fixed,
                proof,
                summary,
                edit: result.edit,
                rerun: () => void this.fixDocumentByUri(uri, args, mode),
            },
            { openDiff: mode === 'preview', prompt },
        );
        return 'verified';
    }

    private reportStale(uri: vscode.Uri, name: string, args: FixArguments, mode: FixMode): FixOutcome {
        this.status.set('idle');
        this.log.info(`fix for ${name} dropped: the document changed during the loop`);
        void vscode.window
            .showWarningMessage(`${name} changed while Fixloop was working, so its fix no longer applies. Run the loop again?`, 'Re-run')
            .then((choice) => {
                if (choice === 'Re-run') {
                    void this.fixDocumentByUri(uri, args, mode);
                }
            });
        return 'stale';
    }

    /** A missing sandbox or package is not "no fix": it needs the user to change something. */
    private isEnvironmentProblem(reason: string): boolean {
        return classifyFailure(reason).actions.length > 0;
    }

    private reportNoFix(name: string, uri: string, result: FixCommandResult): FixOutcome {
        const reason = result.nothingToFix
            ? `nothing to fix: ${result.reason || 'the code already runs clean'}`
            : result.reason || 'the loop ended without a fix that passes its check';
        this.status.set('no-fix', reason);
        this.log.info(`no verified fix for ${name}: ${reason}`);
        void vscode.window
            .showWarningMessage(`Fixloop found no verified fix for ${name}: ${reason}`, 'Show Transcript')
            .then((choice) => {
                if (choice === 'Show Transcript') {
                    void this.showTranscript(result.transcript, uri);
                }
            });
        return 'no-fix';
    }

    private async fixDocumentByUri(uri: vscode.Uri, previous: FixArguments, mode: FixMode): Promise<FixOutcome> {
        const document = await vscode.workspace.openTextDocument(uri);
        return this.run({ ...previous, version: document.version }, mode);
    }
}
