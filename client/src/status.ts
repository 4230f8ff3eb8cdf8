/**
 * The status bar item: the active document's Fixloop state (idle, running, verified, no fix,
 * stale, error) and the sandbox user code runs in (bwrap, docker or local). On `local` the item
 * has the warning colour, because there the code runs with the user's own rights. Clicking it
 * opens the active document's transcript, where the loop explains itself.
 */
import * as vscode from 'vscode';
import { FIXED_SCHEME, ORIGINAL_SCHEME } from './diffPreview';
import type { DocumentStates, FixloopState } from './fixState';

const LOOK: Record<FixloopState, { icon: string; label: string }> = {
    idle: { icon: '$(beaker)', label: 'Fixloop' },
    running: { icon: '$(sync~spin)', label: 'Fixloop: running' },
    verified: { icon: '$(pass)', label: 'Fixloop: verified' },
    'no-fix': { icon: '$(circle-slash)', label: 'Fixloop: no fix' },
    stale: { icon: '$(history)', label: 'Fixloop: stale' },
    error: { icon: '$(warning)', label: 'Fixloop: error' },
};

export interface SandboxLabel {
    readonly name: string;
    readonly protected: boolean;
}

export class StatusIndicator implements vscode.Disposable {
    private readonly item: vscode.StatusBarItem;
    private readonly subscriptions: vscode.Disposable[];
    private sandbox: SandboxLabel | undefined;

    constructor(
        private readonly states: DocumentStates,
        showTranscriptCommand: string,
    ) {
        this.item = vscode.window.createStatusBarItem('fixloop.status', vscode.StatusBarAlignment.Left, 50);
        this.item.name = 'Fixloop';
        this.item.command = showTranscriptCommand;
        this.subscriptions = [
            states.onDidChange((uri) => uri === this.activeUri() && this.render()),
            vscode.window.onDidChangeActiveTextEditor(() => this.render()),
        ];
        this.render();
        this.item.show();
    }

    /** The state the item shows now: the active document's. */
    get state(): FixloopState {
        return this.states.get(this.activeUri()).state;
    }

    get text(): string {
        return this.item.text;
    }

    setSandbox(sandbox: SandboxLabel | undefined): void {
        this.sandbox = sandbox;
        this.render();
    }

    /** The active document; in a fix's diff editor, the document the fix is for. */
    private activeUri(): string | undefined {
        const uri = vscode.window.activeTextEditor?.document.uri;
        if (uri && (uri.scheme === FIXED_SCHEME || uri.scheme === ORIGINAL_SCHEME)) {
            return uri.with({ scheme: 'file', query: '' }).toString();
        }
        return uri?.toString();
    }

    private render(): void {
        const { state, detail } = this.states.get(this.activeUri());
        const look = LOOK[state];
        const sandbox = this.sandbox;
        this.item.text = `${look.icon} ${look.label}${sandbox ? ` · ${sandbox.name}` : ''}`;
        this.item.backgroundColor = sandbox && !sandbox.protected ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
        const lines = [detail || (state === 'idle' ? 'Fixloop is idle for this file.' : look.label)];
        if (sandbox) {
            lines.push(
                sandbox.protected
                    ? `Your code runs in the ${sandbox.name} sandbox.`
                    : `Your code runs in the ${sandbox.name} sandbox: unprotected, with your own rights (choose bwrap or docker in "fixloop.sandbox").`,
            );
        }
        lines.push('Click to show the transcript.');
        this.item.tooltip = lines.join('\n');
    }

    dispose(): void {
        for (const subscription of this.subscriptions) {
            subscription.dispose();
        }
        this.item.dispose();
    }
}
