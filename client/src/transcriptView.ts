/**
 * "Show Transcript": a webview that lists every attempt of a repair loop so a person can follow
 * it. At the top: the file, the outcome, the engine(s), the sandbox, the budget, the oracle and
 * the proof. Then one row per attempt: its time since the start, what it changes, the lines it
 * edits (a click reveals them in the editor), its verdict, why, the tests it failed, and its
 * diff (a click shows it inline). The loop's other steps follow, and a button opens the raw JSON
 * lines. Everything shown comes from the server's `view` and is escaped: candidate code is data,
 * never markup. The page runs only its own nonce'd script, which posts clicks back here.
 */
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import type { ServerGateway } from './fixRunner';
import type { Logger } from './log';
import { type Problem, problemFor } from './problems';
import { errorCode, isFailure, ServerCommand, type TranscriptAttempt, type TranscriptResult, type TranscriptView } from './protocol';

export function escapeHtml(text: string): string {
    return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** "+2.9 s" (or "+120 ms" under a second). */
export function relativeTime(seconds: number): string {
    return seconds < 1 ? `+${Math.round(seconds * 1000)} ms` : `+${seconds.toFixed(1)} s`;
}

function diffHtml(attempt: TranscriptAttempt): string {
    if (!attempt.diff) {
        const note = attempt.text ? 'The transcript keeps only the new lines of this attempt:' : 'The transcript keeps no text for this attempt.';
        return `<p class="note">${note}</p>${attempt.text ? `<pre class="code">${escapeHtml(attempt.text)}</pre>` : ''}`;
    }
    const lines = attempt.diff.replace(/\n$/, '').split('\n').map((line) => {
        const kind = line.startsWith('@@') ? 'hunk' : line.startsWith('+') ? 'add' : line.startsWith('-') ? 'del' : 'ctx';
        return `<span class="${kind}">${escapeHtml(line)}</span>`;
    });
    return `<pre class="code">${lines.join('\n')}</pre>`;
}

function attemptRows(attempt: TranscriptAttempt): string {
    const verdict = attempt.verdict || 'unknown';
    const lines = attempt.lines
        ? `<a href="#" class="reveal" data-line="${attempt.lines[0]}" data-end="${attempt.lines[1]}" title="Reveal in the editor">${attempt.lines[0] === attempt.lines[1] ? attempt.lines[0] : `${attempt.lines[0]}-${attempt.lines[1]}`}</a>`
        : '';
    const failing = attempt.failing.length ? `<div class="tests">failed: ${attempt.failing.map(escapeHtml).join(', ')}</div>` : '';
    return [
        `<tr class="attempt ${escapeHtml(verdict.replace(/\W+/g, '-'))}">`,
        `<td class="num">${attempt.index}</td>`,
        `<td class="time">${relativeTime(attempt.seconds)}</td>`,
        `<td>${escapeHtml(attempt.summary)}${attempt.engine ? `<div class="engine">${escapeHtml(attempt.engine)}</div>` : ''}</td>`,
        `<td class="lines">${lines}</td>`,
        `<td class="verdict"><span class="badge ${escapeHtml(verdict.replace(/\W+/g, '-'))}">${escapeHtml(verdict)}</span></td>`,
        `<td>${escapeHtml(attempt.reason)}${failing}</td>`,
        `<td class="more"><a href="#" class="toggle" data-diff="${attempt.index}">${attempt.diff ? 'diff' : 'new lines'}</a></td>`,
        '</tr>',
        `<tr class="diff" id="diff-${attempt.index}" hidden><td colspan="7">${diffHtml(attempt)}</td></tr>`,
    ].join('');
}

const STYLE = `
body { font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); color: var(--vscode-foreground); padding: 0 16px 24px; }
h1 { font-size: 1.3em; margin: 14px 0 6px; }
.outcome { font-weight: 600; margin-bottom: 10px; }
.outcome.verified { color: var(--vscode-testing-iconPassed, #388a34); }
.outcome.failed { color: var(--vscode-errorForeground); }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 14px; margin: 0 0 10px; }
dl.facts dt { opacity: 0.75; } dl.facts dd { margin: 0; overflow-wrap: anywhere; }
.local { color: var(--vscode-editorWarning-foreground); }
button { background: var(--vscode-button-background); color: var(--vscode-button-foreground); border: none; padding: 4px 10px; cursor: pointer; }
table { border-collapse: collapse; width: 100%; margin-top: 12px; table-layout: auto; }
th, td { text-align: left; vertical-align: top; padding: 3px 8px; border-bottom: 1px solid var(--vscode-panel-border, #8884); overflow-wrap: anywhere; }
th { font-weight: 600; opacity: 0.8; white-space: nowrap; }
td.num, td.time, td.lines, td.verdict, td.more { white-space: nowrap; }
td.num, td.time { opacity: 0.85; }
.engine, .tests, .note { opacity: 0.75; font-size: 0.9em; }
.badge { border-radius: 8px; padding: 0 7px; white-space: nowrap; background: var(--vscode-badge-background); color: var(--vscode-badge-foreground); }
.badge.verified { background: var(--vscode-testing-iconPassed, #388a34); color: #fff; }
.badge.fails, .badge.rejected, .badge.error, .badge.timeout { background: var(--vscode-testing-iconFailed, #c72e0f); color: #fff; }
tr.attempt.verified td { font-weight: 600; }
pre.code { font-family: var(--vscode-editor-font-family); white-space: pre-wrap; overflow-wrap: anywhere; margin: 4px 0; padding: 6px; background: var(--vscode-textCodeBlock-background); }
.add { color: var(--vscode-gitDecoration-addedResourceForeground, #2ea043); }
.del { color: var(--vscode-gitDecoration-deletedResourceForeground, #d73a49); }
.hunk { opacity: 0.7; }
details { margin-top: 14px; } ol.events { padding-left: 20px; } ol.events li span.time { opacity: 0.75; margin-right: 8px; }
`;

const SCRIPT = `
const vscode = acquireVsCodeApi();
document.addEventListener('click', (event) => {
    const target = event.target.closest('a, button');
    if (!target) { return; }
    if (target.id === 'raw') { vscode.postMessage({ type: 'raw' }); return; }
    if (target.classList.contains('reveal')) {
        event.preventDefault();
        vscode.postMessage({ type: 'reveal', line: Number(target.dataset.line), end: Number(target.dataset.end) });
    } else if (target.classList.contains('toggle')) {
        event.preventDefault();
        const row = document.getElementById('diff-' + target.dataset.diff);
        if (row) { row.hidden = !row.hidden; }
    }
});
`;

/** The page for a transcript view; `nonce` admits the page's own style and script only. */
export function renderTranscriptHtml(view: TranscriptView, nonce: string): string {
    const outcomeClass = view.verified ? 'verified' : view.verified === false ? 'failed' : '';
    const facts: Array<[string, string]> = [
        ['Engine', view.engines.join(', ') || 'unknown'],
        ['Sandbox', view.sandbox],
        ['Budget', view.budget === null ? 'unknown' : `${view.budget} s`],
        ['Oracle', view.oracle],
        ['Proof', view.proof || 'none: no fix was verified'],
    ];
    const factRows = facts
        .map(([name, value]) => `<dt>${name}</dt><dd${name === 'Sandbox' && value === 'local' ? ' class="local" title="unprotected: the code ran with your rights"' : ''}>${escapeHtml(value)}</dd>`)
        .join('');
    const failingBefore = view.failing_before.length ? `<p>Failing before the fix: ${view.failing_before.map(escapeHtml).join(', ')}</p>` : '';
    const events = view.events.map((event) => `<li><span class="time">${relativeTime(event.seconds)}</span>${escapeHtml(event.text)}</li>`).join('');
    return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'nonce-${nonce}'; script-src 'nonce-${nonce}';">
<style nonce="${nonce}">${STYLE}</style>
<title>Fixloop transcript</title></head>
<body>
<h1>Fixloop transcript: ${escapeHtml(view.file || 'unknown file')}</h1>
<div class="outcome ${outcomeClass}">${escapeHtml(view.outcome)}</div>
<dl class="facts">${factRows}</dl>
${failingBefore}
<button id="raw">Open the raw JSON lines</button>
<table><thead><tr><th>#</th><th>Time</th><th>Change</th><th>Lines</th><th>Verdict</th><th>Why / tests failed</th><th></th></tr></thead>
<tbody>${view.attempts.map(attemptRows).join('\n') || '<tr><td colspan="7">No candidate was tried.</td></tr>'}</tbody></table>
<details><summary>Loop steps (${view.events.length})</summary><ol class="events">${events}</ol></details>
<script nonce="${nonce}">${SCRIPT}</script>
</body></html>`;
}

type PanelMessage = { type: 'raw' } | { type: 'reveal'; line: number; end: number };

/** The one transcript panel; showing another transcript replaces its content. */
export class TranscriptPanel implements vscode.Disposable {
    private panel: vscode.WebviewPanel | undefined;
    private shown: TranscriptResult | undefined;

    constructor(private readonly log: Logger) {}

    show(result: TranscriptResult): void {
        this.shown = result;
        const title = `Fixloop transcript: ${result.view.file || 'fix'}`;
        if (!this.panel) {
            this.panel = vscode.window.createWebviewPanel('fixloop.transcript', title, vscode.ViewColumn.Active, { enableScripts: true, localResourceRoots: [] });
            this.panel.webview.onDidReceiveMessage((message: PanelMessage) => this.receive(message));
            this.panel.onDidDispose(() => (this.panel = undefined));
        } else {
            this.panel.reveal();
        }
        this.panel.title = title;
        this.panel.webview.html = renderTranscriptHtml(result.view, randomBytes(16).toString('base64'));
    }

    /** A click in the page: reveal lines of the fixed file, or open the raw JSON lines. */
    async receive(message: PanelMessage): Promise<void> {
        const shown = this.shown;
        if (!shown) {
            return;
        }
        try {
            if (message.type === 'raw') {
                const document = await vscode.workspace.openTextDocument(vscode.Uri.file(shown.path));
                await vscode.window.showTextDocument(document, { preview: true, viewColumn: vscode.ViewColumn.Active });
            } else if (message.type === 'reveal' && shown.view.uri && Number.isInteger(message.line) && message.line >= 1) {
                const end = Number.isInteger(message.end) && message.end >= message.line ? message.end : message.line;
                const document = await vscode.workspace.openTextDocument(vscode.Uri.parse(shown.view.uri));
                const range = new vscode.Range(message.line - 1, 0, end - 1, document.lineAt(Math.min(end - 1, document.lineCount - 1)).text.length);
                await vscode.window.showTextDocument(document, { selection: range, viewColumn: vscode.ViewColumn.One, preview: false });
            }
        } catch (error) {
            this.log.warn(`transcript view: ${String(error)}`);
        }
    }

    dispose(): void {
        this.panel?.dispose();
    }
}

/** Ask the server for the transcript of `uri`'s last fix (else the last one) and show it. */
export async function showTranscript(server: ServerGateway, panel: { show(result: TranscriptResult): void }, reportProblem: (problem: Problem) => void, uri?: string): Promise<void> {
    const result = await server.execute<TranscriptResult | Record<string, unknown>>(ServerCommand.transcript, uri ? { uri } : {});
    if (errorCode(result) === 'no-transcript') {
        const reason = (result as { reason?: unknown }).reason;
        void vscode.window.showInformationMessage(`Fixloop: ${typeof reason === 'string' ? reason : 'no transcript yet'}.`);
    } else if (isFailure(result)) {
        reportProblem(problemFor(result));
    } else {
        panel.show(result as TranscriptResult);
    }
}
