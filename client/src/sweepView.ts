/**
 * "Fixloop: Fix All Failing Tests": runs the server's `fixloop.sweep` on the workspace folder with
 * a cancellable progress notification, and shows the jobs in the "Fixloop Sweep" tree view: one
 * item per module, its verdict and proof, its failing tests below it. A verified fix offers Show
 * Diff (the original and the fixed text side by side, as virtual documents) and Apply, which
 * asks the server (`fixloop.sweepEdit`) for a versioned edit of the open document and applies it
 * only if the document still holds the text the fix was made for. Nothing changes unless the
 * user applies a fix. The tree's contents are plain data (`sweepNodes`), so they are testable.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ExecuteOptions } from './fixRunner';
import type { Logger } from './log';
import type { LspWorkspaceEdit } from './lspEdits';
import { ServerCommand } from './protocol';

export const SweepCommand = {
    run: 'fixloop.fixAllFailingTests',
    showDiff: 'fixloop.sweepShowDiff',
    apply: 'fixloop.sweepApply',
} as const;

/** Server command IDs (the language client registers them; the client's own IDs differ). */
export const SweepServerCommand = { sweep: 'fixloop.sweep', edit: 'fixloop.sweepEdit' } as const;
export const SWEEP_VIEW = 'fixloop.sweepResults';
export const SWEEP_SCHEME = 'fixloop-sweep';
/** The owner the server tracks a sweep under: `fixloop.cancel {uri}` with it stops the sweep. */
export const SWEEP_OWNER = 'fixloop:sweep';

export interface SweepJob {
    id: string;
    target: string;
    uri: string;
    tests: string[];
    verdict: string;
    summary: string;
    proof: string;
    reason: string;
    node: string;
    durationMs: number;
    original: string;
    fixed: string;
    inCombinedPatch: boolean;
    passesWithCombinedPatch: boolean;
}

export interface SweepResult {
    ok: boolean;
    reason: string;
    failed: number;
    passed: number;
    jobs: SweepJob[];
    unassigned: string[];
    combined: { holds: boolean; before: string; after: string } | null;
}

export interface SweepNode {
    label: string;
    description: string;
    tooltip: string;
    /** `fixloopSweepFix` for a job with a verified fix (Show Diff, Apply), else `fixloopSweepJob`. */
    contextValue: 'fixloopSweepFix' | 'fixloopSweepJob' | 'fixloopSweepTest' | 'fixloopSweepInfo';
    job?: SweepJob;
    children: SweepNode[];
}

export interface SweepGateway {
    execute<T>(command: string, argument: object, options?: ExecuteOptions): Promise<T>;
    toWorkspaceEdit(edit: LspWorkspaceEdit): Promise<vscode.WorkspaceEdit>;
}

const str = (value: unknown): string => (typeof value === 'string' ? value : '');
const num = (value: unknown): number => (typeof value === 'number' ? value : 0);

/** Read the server's answer defensively: anything missing becomes empty, never a crash. */
export function parseSweepResult(value: unknown): SweepResult {
    const record = value && typeof value === 'object' ? (value as Record<string, unknown>) : {};
    const jobs = Array.isArray(record.jobs) ? record.jobs : [];
    const combined = record.combined && typeof record.combined === 'object' ? (record.combined as Record<string, unknown>) : undefined;
    return {
        ok: record.ok === true,
        reason: str(record.reason),
        failed: num(record.failed),
        passed: num(record.passed),
        unassigned: Array.isArray(record.unassigned) ? record.unassigned.map(str) : [],
        combined: combined ? { holds: combined.holds === true, before: str(combined.before), after: str(combined.after) } : null,
        jobs: jobs
            .filter((job): job is Record<string, unknown> => !!job && typeof job === 'object')
            .map((job) => ({
                id: str(job.id),
                target: str(job.target),
                uri: str(job.uri),
                tests: Array.isArray(job.tests) ? job.tests.map(str) : [],
                verdict: str(job.verdict),
                summary: str(job.summary),
                proof: str(job.proof),
                reason: str(job.reason),
                node: str(job.node),
                durationMs: num(job.durationMs),
                original: str(job.original),
                fixed: str(job.fixed),
                inCombinedPatch: job.inCombinedPatch === true,
                passesWithCombinedPatch: job.passesWithCombinedPatch === true,
            })),
    };
}

function verdictText(job: SweepJob): string {
    if (job.verdict === 'fixed') {
        return `fixed: ${job.proof}`;
    }
    if (job.passesWithCombinedPatch) {
        return 'passes with the other fixes';
    }
    return job.verdict.replace(/_/g, ' ');
}

/** The tree's items: a summary line, one item per job (its tests as children), unassigned tests. */
export function sweepNodes(result: SweepResult): SweepNode[] {
    const fixed = result.jobs.filter((job) => job.verdict === 'fixed').length;
    const proof = result.combined ? `${result.combined.before} -> ${result.combined.after}${result.combined.holds ? '' : ' (not proven)'}` : '';
    const nodes: SweepNode[] = [
        {
            label: `${fixed} of ${result.jobs.length} modules fixed`,
            description: proof,
            tooltip: proof ? `The combined fixes, run with the whole suite: ${proof}` : 'No combined patch',
            contextValue: 'fixloopSweepInfo',
            children: [],
        },
    ];
    for (const job of result.jobs) {
        const seconds = (job.durationMs / 1000).toFixed(1);
        const why = job.verdict === 'fixed' ? job.summary : job.reason;
        nodes.push({
            label: job.target,
            description: verdictText(job),
            tooltip: [`${job.verdict}${why ? `: ${why}` : ''}`, `${job.tests.length} failing tests, ${seconds}s on ${job.node || 'an unknown node'}`].join('\n'),
            contextValue: job.verdict === 'fixed' && job.fixed ? 'fixloopSweepFix' : 'fixloopSweepJob',
            job,
            children: job.tests.map((test) => ({ label: test, description: '', tooltip: test, contextValue: 'fixloopSweepTest', children: [] })),
        });
    }
    for (const test of result.unassigned) {
        nodes.push({ label: test, description: 'points at no project module', tooltip: test, contextValue: 'fixloopSweepTest', children: [] });
    }
    return nodes;
}

export class SweepView implements vscode.TreeDataProvider<SweepNode>, vscode.TextDocumentContentProvider {
    private nodes: SweepNode[] = [];
    private readonly changed = new vscode.EventEmitter<SweepNode | undefined>();
    readonly onDidChangeTreeData = this.changed.event;
    private readonly texts = new Map<string, string>();

    constructor(
        private readonly server: SweepGateway,
        private readonly log: Logger,
        private readonly reportFailure: (error: unknown) => void,
    ) {}

    register(): vscode.Disposable[] {
        return [vscode.window.createTreeView(SWEEP_VIEW, { treeDataProvider: this, showCollapseAll: true }), ...this.registerCommands()];
    }

    registerCommands(): vscode.Disposable[] {
        return [
            vscode.workspace.registerTextDocumentContentProvider(SWEEP_SCHEME, this),
            vscode.commands.registerCommand(SweepCommand.run, () => this.run()),
            vscode.commands.registerCommand(SweepCommand.showDiff, (node?: SweepNode) => this.showDiff(node)),
            vscode.commands.registerCommand(SweepCommand.apply, (node?: SweepNode) => this.apply(node)),
        ];
    }

    getTreeItem(node: SweepNode): vscode.TreeItem {
        const state = node.children.length ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None;
        const item = new vscode.TreeItem(node.label, state);
        item.description = node.description;
        item.tooltip = node.tooltip;
        item.contextValue = node.contextValue;
        if (node.contextValue === 'fixloopSweepFix') {
            item.command = { command: SweepCommand.showDiff, title: 'Show Diff', arguments: [node] };
        }
        return item;
    }

    getChildren(node?: SweepNode): SweepNode[] {
        return node ? node.children : this.nodes;
    }

    provideTextDocumentContent(uri: vscode.Uri): string {
        return this.texts.get(uri.toString()) ?? '';
    }

    get items(): readonly SweepNode[] {
        return this.nodes;
    }

    /** Sweep the first workspace folder; the tree shows the result. Returns the parsed result. */
    async run(): Promise<SweepResult | undefined> {
        const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
        if (!folder) {
            void vscode.window.showWarningMessage('Fixloop: open a folder to fix its failing tests.');
            return undefined;
        }
        let raw: unknown;
        try {
            raw = await vscode.window.withProgress(
                { location: vscode.ProgressLocation.Notification, title: 'Fixloop: fixing all failing tests', cancellable: true },
                async (progress, token) => {
                    const onCancel = token.onCancellationRequested(() => {
                        this.log.info('sweep: cancel requested');
                        void this.server.execute(ServerCommand.cancel, { uri: SWEEP_OWNER }).catch((error) => this.log.warn(`cancel failed: ${String(error)}`));
                    });
                    try {
                        return await this.server.execute<unknown>(SweepServerCommand.sweep, { folder: folder.toString() }, { onProgress: (message) => progress.report({ message }) });
                    } finally {
                        onCancel.dispose();
                    }
                },
            );
        } catch (error) {
            this.reportFailure(error);
            return undefined;
        }
        const result = parseSweepResult(raw);
        if (!result.ok) {
            void vscode.window.showWarningMessage(`Fixloop: the sweep stopped: ${result.reason || 'no reason given'}`);
            return result;
        }
        this.nodes = sweepNodes(result);
        this.changed.fire(undefined);
        const fixed = result.jobs.filter((job) => job.verdict === 'fixed').length;
        void vscode.window.showInformationMessage(`Fixloop: ${fixed} of ${result.jobs.length} modules with failing tests have a verified fix. See the Fixloop Sweep view.`);
        return result;
    }

    async showDiff(node?: SweepNode): Promise<void> {
        const job = node?.job;
        if (!job || !job.fixed) {
            return;
        }
        const file = vscode.Uri.parse(job.uri);
        const left = file.with({ scheme: SWEEP_SCHEME, query: `job=${encodeURIComponent(job.id)}&side=original` });
        const right = file.with({ scheme: SWEEP_SCHEME, query: `job=${encodeURIComponent(job.id)}&side=fixed` });
        this.texts.set(left.toString(), job.original);
        this.texts.set(right.toString(), job.fixed);
        await vscode.commands.executeCommand('vscode.diff', left, right, `${path.basename(job.target)}: sweep fix (${job.proof})`, { preview: true });
    }

    /** Apply one job's fix as a versioned edit of the document; 'stale' if it changed since. */
    async apply(node?: SweepNode): Promise<'applied' | 'stale' | 'refused' | 'nothing'> {
        const job = node?.job;
        if (!job || !job.fixed) {
            return 'nothing';
        }
        const uri = vscode.Uri.parse(job.uri);
        await vscode.workspace.openTextDocument(uri); // the server answers for open documents
        const answer = await this.server.execute<Record<string, unknown>>(SweepServerCommand.edit, { job: job.id, uri: job.uri });
        if (!answer || answer.ok !== true || !answer.edit) {
            const reason = str(answer?.reason) || 'the server gave no edit';
            void vscode.window.showWarningMessage(`Fixloop: ${job.target}: ${reason}`);
            return answer?.stale === true ? 'stale' : 'refused';
        }
        const applied = await vscode.workspace.applyEdit(await this.server.toWorkspaceEdit(answer.edit));
        if (!applied) {
            void vscode.window.showWarningMessage(`Fixloop: ${job.target} changed while the fix was applied; nothing was changed.`);
            return 'stale';
        }
        this.log.info(`sweep: applied the fix to ${job.target} (${job.proof})`);
        return 'applied';
    }
}
