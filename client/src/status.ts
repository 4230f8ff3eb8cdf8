/**
 * The status bar item: idle, running, verified or no fix (and a failure state when the server
 * is down). Clicking it opens the last transcript, where the loop explains itself.
 */
import * as vscode from 'vscode';

export type FixloopState = 'idle' | 'running' | 'verified' | 'no-fix' | 'error';

const LOOK: Record<FixloopState, { icon: string; label: string }> = {
    idle: { icon: '$(beaker)', label: 'Fixloop' },
    running: { icon: '$(sync~spin)', label: 'Fixloop: running' },
    verified: { icon: '$(pass)', label: 'Fixloop: verified' },
    'no-fix': { icon: '$(circle-slash)', label: 'Fixloop: no fix' },
    error: { icon: '$(warning)', label: 'Fixloop: error' },
};

export class StatusIndicator implements vscode.Disposable {
    private readonly item: vscode.StatusBarItem;
    private current: FixloopState = 'idle';

    constructor(showTranscriptCommand: string) {
        this.item = vscode.window.createStatusBarItem('fixloop.status', vscode.StatusBarAlignment.Left, 50);
        this.item.name = 'Fixloop';
        this.item.command = showTranscriptCommand;
        this.set('idle');
        this.item.show();
    }

    get state(): FixloopState {
        return this.current;
    }

    set(state: FixloopState, detail?: string): void {
        this.current = state;
        const look = LOOK[state];
        this.item.text = `${look.icon} ${look.label}`;
        this.item.tooltip = detail ? `${detail}\nClick to show the transcript.` : 'Click to show the last Fixloop transcript.';
    }

    dispose(): void {
        this.item.dispose();
    }
}
