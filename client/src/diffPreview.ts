/**
 * Verified fixes waiting for the user, one per document, and every place that offers them: a
 * diff editor (the original and the fixed text served as virtual documents, schemes
 * fixloop-original / fixloop-fixed, titled with the proof), the diff editor's title bar (Apply
 * and Discard, context key `fixloop.previewActive`), and a notification with Apply, Show Diff and
 * Discard links. The notification is a progress notification so that it can be closed: however
 * the fix is applied (the quick-fix menu, the notification, the title bar), discarded, or made
 * stale by an edit, every place that offers it closes and the document's state says what
 * happened. Discard also tells the server, which then stops offering the fix. Apply applies the
 * server's versioned edit only if the document is still at the version the fix was computed on.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ServerGateway } from './fixRunner';
import type { DocumentStates } from './fixState';
import type { Logger } from './log';
import type { LspWorkspaceEdit } from './lspEdits';
import { ServerCommand } from './protocol';

export const ORIGINAL_SCHEME = 'fixloop-original';
export const FIXED_SCHEME = 'fixloop-fixed';
export const PREVIEW_CONTEXT = 'fixloop.previewActive';
export const APPLY_COMMAND = 'fixloop.applyPreviewedFix';
export const DISCARD_COMMAND = 'fixloop.discardPreviewedFix';
export const SHOW_DIFF_COMMAND = 'fixloop.showPreviewedDiff';

export interface VerifiedFix {
    readonly uri: vscode.Uri;
    readonly version: number;
    readonly original: string;
    readonly fixed: string;
    /** What it was proven against ("tests: 1 failing -> 5/5 pass", "runs without error (no tests)"). */
    readonly proof: string;
    readonly summary: string;
    /** Candidates that pass the same checks disagree elsewhere: shown as uncertain, not as proven. */
    readonly uncertain?: boolean;
    readonly edit: LspWorkspaceEdit;
    /** Start the loop again on the current text, used when the document changed meanwhile. */
    readonly rerun: () => void;
}

export type ApplyOutcome = 'applied' | 'stale' | 'refused' | 'nothing';
/** Why a waiting fix stopped waiting. */
export type Settled = 'applied' | 'discarded' | 'stale' | 'replaced';

interface Preview extends VerifiedFix {
    readonly id: number;
    readonly originalUri: vscode.Uri;
    readonly fixedUri: vscode.Uri;
    /** Closes the offer notification. */
    close: () => void;
}

/** A command link for a notification message: `[title](command:id?["uri"])`. */
export function commandLink(title: string, command: string, uri: string): string {
    return `[${title}](command:${command}?${encodeURIComponent(JSON.stringify([uri]))})`;
}

export class FixPreviews implements vscode.TextDocumentContentProvider, vscode.Disposable {
    private readonly pending = new Map<string, Preview>();
    private latest: string | undefined;
    private nextId = 1;
    private readonly contents = new Map<string, string>();
    private readonly changed = new vscode.EventEmitter<vscode.Uri>();
    readonly onDidChange = this.changed.event;

    constructor(
        private readonly server: ServerGateway,
        private readonly states: DocumentStates,
        private readonly toWorkspaceEdit: (edit: LspWorkspaceEdit) => Promise<vscode.WorkspaceEdit>,
        private readonly log: Logger,
    ) {}

    register(): vscode.Disposable[] {
        return [
            vscode.workspace.registerTextDocumentContentProvider(ORIGINAL_SCHEME, this),
            vscode.workspace.registerTextDocumentContentProvider(FIXED_SCHEME, this),
            vscode.workspace.onDidChangeTextDocument((event) => this.documentChanged(event.document, event.contentChanges.length)),
        ];
    }

    provideTextDocumentContent(uri: vscode.Uri): string {
        return this.contents.get(uri.toString()) ?? '';
    }

    /** The fix shown last that still waits, if any. */
    get current(): VerifiedFix | undefined {
        return this.latest ? this.pending.get(this.latest) : undefined;
    }

    /** Remember the fix; with `openDiff`, show the diff editor; then offer Apply / Discard. */
    async show(fix: VerifiedFix, options: { openDiff: boolean; prompt: string }): Promise<void> {
        const key = fix.uri.toString();
        if (this.pending.has(key)) {
            await this.settle(key, 'replaced');
        }
        const id = this.nextId++;
        // The query makes each preview a distinct document, so VS Code never shows a cached one.
        const originalUri = fix.uri.with({ scheme: ORIGINAL_SCHEME, query: `fix=${id}` });
        const fixedUri = fix.uri.with({ scheme: FIXED_SCHEME, query: `fix=${id}` });
        const preview: Preview = { ...fix, id, originalUri, fixedUri, close: () => undefined };
        this.pending.set(key, preview);
        this.latest = key;
        this.contents.set(originalUri.toString(), fix.original);
        this.contents.set(fixedUri.toString(), fix.fixed);
        await vscode.commands.executeCommand('setContext', PREVIEW_CONTEXT, true);
        if (options.openDiff) {
            await this.openDiff(preview);
        }
        const links = [commandLink('Apply', APPLY_COMMAND, key)];
        if (!options.openDiff) {
            links.push(commandLink('Show Diff', SHOW_DIFF_COMMAND, key));
        }
        links.push(commandLink('Discard', DISCARD_COMMAND, key));
        // No title: VS Code would join it to the message with ": ", before the links.
        void vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, cancellable: true }, (progress, token) => {
            // A finished bar, not a spinner: nothing is running, the offer waits for the user.
            progress.report({ increment: 100, message: `${options.prompt} ${links.join(' · ')}` });
            return new Promise<void>((resolve) => {
                preview.close = resolve;
                // Cancel only closes the notification; the quick-fix menu still offers the fix.
                token.onCancellationRequested(() => resolve());
            });
        });
    }

    async apply(target?: unknown): Promise<ApplyOutcome> {
        const fix = this.find(target);
        if (!fix) {
            void vscode.window.showInformationMessage('Fixloop: there is no verified fix waiting to be applied.');
            return 'nothing';
        }
        const key = fix.uri.toString();
        const document = vscode.workspace.textDocuments.find((doc) => doc.uri.toString() === key);
        const name = path.basename(fix.uri.fsPath);
        if (!document || document.version !== fix.version) {
            if (document?.getText() === fix.fixed) {
                await this.settle(key, 'applied'); // applied elsewhere a moment ago
                return 'applied';
            }
            await this.settle(key, 'stale');
            this.log.info(`fix for ${name} not applied: document is at version ${document?.version ?? 'closed'}, fix was for ${fix.version}`);
            void vscode.window
                .showWarningMessage(`${name} changed after Fixloop computed this fix, so it was not applied. Run the loop again on the current text?`, 'Re-run')
                .then((choice) => choice === 'Re-run' && fix.rerun());
            return 'stale';
        }
        const applied = await vscode.workspace.applyEdit(await this.toWorkspaceEdit(fix.edit));
        if (!applied) {
            this.log.warn(`VS Code refused the edit for ${name}`);
            void vscode.window
                .showWarningMessage(`VS Code did not apply the fix to ${name} (the file may have changed). Run the loop again?`, 'Re-run')
                .then((choice) => choice === 'Re-run' && fix.rerun());
            return 'refused';
        }
        await this.settle(key, 'applied');
        return 'applied';
    }

    async discard(target?: unknown): Promise<void> {
        const fix = this.find(target);
        if (fix) {
            await this.settle(fix.uri.toString(), 'discarded');
        }
    }

    async showDiff(target?: unknown): Promise<void> {
        const fix = this.find(target);
        if (fix) {
            await this.openDiff(fix);
        }
    }

    dispose(): void {
        for (const preview of this.pending.values()) {
            preview.close();
        }
        this.pending.clear();
        this.contents.clear();
        this.changed.dispose();
    }

    /** The fix a command means: a document URI (string or the diff's Uri), else the active or latest. */
    private find(target: unknown): Preview | undefined {
        let key: string | undefined;
        if (typeof target === 'string') {
            key = target;
        } else if (target instanceof vscode.Uri) {
            key = [...this.pending.values()].find((p) => p.fixedUri.toString() === target.toString() || p.originalUri.toString() === target.toString())?.uri.toString() ?? target.toString();
        } else {
            const active = vscode.window.activeTextEditor?.document.uri.toString();
            key = active && this.pending.has(active) ? active : this.latest;
        }
        return key ? this.pending.get(key) : undefined;
    }

    private async openDiff(preview: Preview): Promise<void> {
        const title = `${path.basename(preview.uri.fsPath)}: ${preview.uncertain ? 'uncertain' : 'verified'} fix (${preview.proof})`;
        await vscode.commands.executeCommand('vscode.diff', preview.originalUri, preview.fixedUri, title, { preview: true });
    }

    /** However the document changed, a waiting fix for it is now applied or stale. */
    private documentChanged(document: vscode.TextDocument, changes: number): void {
        const key = document.uri.toString();
        const preview = this.pending.get(key);
        if (!preview || changes === 0 || document.version === preview.version) {
            return;
        }
        void this.settle(key, document.getText() === preview.fixed ? 'applied' : 'stale');
    }

    private async settle(key: string, why: Settled): Promise<void> {
        const preview = this.pending.get(key);
        if (!preview) {
            return;
        }
        this.pending.delete(key);
        if (this.latest === key) {
            this.latest = [...this.pending.keys()].pop();
        }
        this.contents.delete(preview.originalUri.toString());
        this.contents.delete(preview.fixedUri.toString());
        preview.close();
        const name = path.basename(preview.uri.fsPath);
        this.log.info(`fix for ${name}: ${why}`);
        if (why === 'applied') {
            this.states.set(key, 'idle', `Applied the verified fix: ${preview.summary} (${preview.proof}).`);
            vscode.window.setStatusBarMessage(`Fixloop: applied the verified fix to ${name} (${preview.proof})`, 10000);
        } else if (why === 'discarded') {
            this.states.set(key, 'idle', 'Discarded the verified fix.');
            // The server forgets it too, so the quick-fix menu no longer offers it.
            void this.server.execute(ServerCommand.discard, { uri: key, version: preview.version }).catch((error) => this.log.warn(`discard failed: ${String(error)}`));
        } else if (why === 'stale') {
            this.states.set(key, 'stale', `${name} changed after Fixloop found this fix; run the loop again for the new text.`);
        }
        await vscode.commands.executeCommand('setContext', PREVIEW_CONTEXT, this.pending.size > 0);
        await closeTabsShowing(preview.fixedUri);
    }
}

async function closeTabsShowing(uri: vscode.Uri): Promise<void> {
    const target = uri.toString();
    const tabs = vscode.window.tabGroups.all.flatMap((group) => group.tabs).filter((tab) => {
        const input = tab.input;
        return input instanceof vscode.TabInputTextDiff && input.modified.toString() === target;
    });
    if (tabs.length > 0) {
        await vscode.window.tabGroups.close(tabs);
    }
}
