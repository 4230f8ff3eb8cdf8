/**
 * The diff preview of a verified fix. The original and the fixed text are served as virtual
 * documents (schemes fixloop-original / fixloop-fixed), shown side by side in a diff editor
 * titled with the proof. Apply and Discard appear in the notification and in the diff editor's
 * title bar (context key `fixloop.previewActive`). Apply applies the server's versioned edit
 * only if the document is still at the version the fix was computed on; otherwise the user is
 * told and offered a re-run. Nothing is applied without the user asking.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Logger } from './log';
import type { LspWorkspaceEdit } from './lspEdits';

export const ORIGINAL_SCHEME = 'fixloop-original';
export const FIXED_SCHEME = 'fixloop-fixed';
export const PREVIEW_CONTEXT = 'fixloop.previewActive';

export interface VerifiedFix {
    readonly uri: vscode.Uri;
    readonly version: number;
    readonly original: string;
    readonly fixed: string;
    readonly proof: string;
    readonly summary: string;
    readonly edit: LspWorkspaceEdit;
    /** Start the loop again on the current text, used when the document changed meanwhile. */
    readonly rerun: () => void;
}

export type ApplyOutcome = 'applied' | 'stale' | 'refused' | 'nothing';

interface Preview extends VerifiedFix {
    readonly id: number;
    readonly originalUri: vscode.Uri;
    readonly fixedUri: vscode.Uri;
}

export class FixPreviews implements vscode.TextDocumentContentProvider, vscode.Disposable {
    private pending: Preview | undefined;
    private nextId = 1;
    private readonly contents = new Map<string, string>();
    private readonly changed = new vscode.EventEmitter<vscode.Uri>();
    readonly onDidChange = this.changed.event;

    constructor(
        private readonly toWorkspaceEdit: (edit: LspWorkspaceEdit) => Promise<vscode.WorkspaceEdit>,
        private readonly log: Logger,
    ) {}

    register(): vscode.Disposable[] {
        return [
            vscode.workspace.registerTextDocumentContentProvider(ORIGINAL_SCHEME, this),
            vscode.workspace.registerTextDocumentContentProvider(FIXED_SCHEME, this),
        ];
    }

    provideTextDocumentContent(uri: vscode.Uri): string {
        return this.contents.get(uri.toString()) ?? '';
    }

    get current(): VerifiedFix | undefined {
        return this.pending;
    }

    /** Remember the fix; with `openDiff`, show the diff editor; then offer Apply / Discard. */
    async show(fix: VerifiedFix, options: { openDiff: boolean; prompt: string }): Promise<void> {
        this.forget();
        const id = this.nextId++;
        // The query makes each preview a distinct document, so VS Code never shows a cached one.
        const originalUri = fix.uri.with({ scheme: ORIGINAL_SCHEME, query: `fix=${id}` });
        const fixedUri = fix.uri.with({ scheme: FIXED_SCHEME, query: `fix=${id}` });
        this.pending = { ...fix, id, originalUri, fixedUri };
        this.contents.set(originalUri.toString(), fix.original);
        this.contents.set(fixedUri.toString(), fix.fixed);
        await vscode.commands.executeCommand('setContext', PREVIEW_CONTEXT, true);
        if (options.openDiff) {
            const title = `${path.basename(fix.uri.fsPath)}: verified fix (${fix.proof})`;
            await vscode.commands.executeCommand('vscode.diff', originalUri, fixedUri, title, { preview: true });
        }
        const buttons = options.openDiff ? ['Apply', 'Discard'] : ['Apply', 'Show Diff', 'Discard'];
        void vscode.window.showInformationMessage(options.prompt, ...buttons).then(async (choice) => {
            if (this.pending?.id !== id) {
                return; // another fix replaced this one, or it was applied from the title bar
            }
            if (choice === 'Apply') {
                await this.apply();
            } else if (choice === 'Discard') {
                await this.discard();
            } else if (choice === 'Show Diff') {
                await vscode.commands.executeCommand('vscode.diff', originalUri, fixedUri, `${path.basename(fix.uri.fsPath)}: verified fix (${fix.proof})`);
            }
        });
    }

    async apply(): Promise<ApplyOutcome> {
        const fix = this.pending;
        if (!fix) {
            void vscode.window.showInformationMessage('Fixloop: there is no verified fix waiting to be applied.');
            return 'nothing';
        }
        const document = vscode.workspace.textDocuments.find((doc) => doc.uri.toString() === fix.uri.toString());
        const name = path.basename(fix.uri.fsPath);
        if (!document || document.version !== fix.version) {
            await this.discard();
            this.log.info(`fix for ${name} not applied: document is at version ${document?.version ?? 'closed'}, fix was for ${fix.version}`);
            void vscode.window
                .showWarningMessage(`${name} changed after Fixloop computed this fix, so it was not applied. Run the loop again on the current text?`, 'Re-run')
                .then((choice) => choice === 'Re-run' && fix.rerun());
            return 'stale';
        }
        const edit = await this.toWorkspaceEdit(fix.edit);
        const applied = await vscode.workspace.applyEdit(edit);
        if (!applied) {
            this.log.warn(`VS Code refused the edit for ${name}`);
            void vscode.window
                .showWarningMessage(`VS Code did not apply the fix to ${name} (the file may have changed). Run the loop again?`, 'Re-run')
                .then((choice) => choice === 'Re-run' && fix.rerun());
            return 'refused';
        }
        this.log.info(`applied verified fix to ${name}: ${fix.summary} (${fix.proof})`);
        await this.discard();
        return 'applied';
    }

    async discard(): Promise<void> {
        const fix = this.pending;
        this.forget();
        await vscode.commands.executeCommand('setContext', PREVIEW_CONTEXT, false);
        if (fix) {
            await closeTabsShowing(fix.fixedUri);
        }
    }

    dispose(): void {
        this.forget();
        this.changed.dispose();
    }

    private forget(): void {
        if (this.pending) {
            this.contents.delete(this.pending.originalUri.toString());
            this.contents.delete(this.pending.fixedUri.toString());
        }
        this.pending = undefined;
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
