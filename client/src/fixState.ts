/**
 * Where each document stands with Fixloop: idle, running, verified (a fix waits to be applied),
 * no fix, stale (the document changed under a loop or its fix), or error. One state per document
 * URI, so the status bar shows the active document's own state, never another file's. Changes
 * fire `onDidChange` with the URI that changed.
 */
import * as vscode from 'vscode';

export type FixloopState = 'idle' | 'running' | 'verified' | 'no-fix' | 'stale' | 'error';

export interface DocumentStatus {
    readonly state: FixloopState;
    /** What happened, in a few words (the status bar's tooltip). */
    readonly detail: string;
}

const IDLE: DocumentStatus = { state: 'idle', detail: '' };

export class DocumentStates implements vscode.Disposable {
    private readonly states = new Map<string, DocumentStatus>();
    private readonly changed = new vscode.EventEmitter<string>();
    readonly onDidChange = this.changed.event;

    get(uri: string | undefined): DocumentStatus {
        return (uri && this.states.get(uri)) || IDLE;
    }

    set(uri: string, state: FixloopState, detail = ''): void {
        this.states.set(uri, { state, detail });
        this.changed.fire(uri);
    }

    forget(uri: string): void {
        if (this.states.delete(uri)) {
            this.changed.fire(uri);
        }
    }

    dispose(): void {
        this.changed.dispose();
    }
}
