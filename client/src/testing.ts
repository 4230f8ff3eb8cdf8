/**
 * Fixing the code under a failing test: from the Testing view ("Fix with Fixloop" on a test
 * item with a file) or from the quick fix on a failing test in a test file. The server finds
 * the module the test exercises (`fixloop.testTarget`); the module is opened (so the fix is
 * computed on, and versioned against, what the editor holds) and the loop runs on it with the
 * test as its oracle, showing the diff of the verified fix. The test file is never edited.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { FixMode, FixOutcome, ServerGateway } from './fixRunner';
import type { Logger } from './log';
import { type Problem, problemFor } from './problems';
import { type FixArguments, isFailure, ServerCommand, type TestTarget, type TestTargetArguments } from './protocol';

/** The parts of a `vscode.TestItem` this needs (the Testing view passes the item itself). */
export interface TestItemLike {
    readonly id: string;
    readonly uri?: vscode.Uri;
    readonly range?: vscode.Range;
}

export function isTestItem(value: unknown): value is TestItemLike {
    return !!value && typeof value === 'object' && typeof (value as { id?: unknown }).id === 'string' && (value as { uri?: unknown }).uri instanceof vscode.Uri;
}

export class TestFixes {
    constructor(
        private readonly server: ServerGateway,
        private readonly runner: { run(args: FixArguments, mode: FixMode): Promise<FixOutcome> },
        private readonly reportProblem: (problem: Problem) => void,
        private readonly log: Logger,
    ) {}

    /** "Fix with Fixloop" on a test item: its file and id (and line) name the oracle. */
    async fromTestItem(item: unknown): Promise<FixOutcome | undefined> {
        if (!isTestItem(item) || !item.uri) {
            void vscode.window.showInformationMessage('Fixloop: this test has no file to fix against.');
            return undefined;
        }
        const args: TestTargetArguments = { uri: item.uri.toString(), test: item.id };
        if (item.range) {
            args.line = item.range.start.line + 1;
        }
        return this.fromArguments(args);
    }

    /** Find the module under the test, open it, and fix it with the test as the oracle. */
    async fromArguments(args: TestTargetArguments): Promise<FixOutcome | undefined> {
        let target: TestTarget | Record<string, unknown>;
        try {
            target = await this.server.execute<TestTarget | Record<string, unknown>>(ServerCommand.testTarget, args);
        } catch (error) {
            this.reportProblem({ message: `Fixloop could not find the code under this test: ${String(error)}`, actions: [] });
            return undefined;
        }
        if (isFailure(target) || typeof target.module !== 'string' || typeof target.test !== 'string') {
            this.reportProblem(problemFor(isFailure(target) ? target : { ok: false, reason: 'the server did not name the module under test' }));
            return undefined;
        }
        const document = await vscode.workspace.openTextDocument(vscode.Uri.parse(target.module));
        this.log.info(`fixing ${path.basename(document.uri.fsPath)} against ${target.test}`);
        return this.runner.run({ uri: document.uri.toString(), version: document.version, tests: [target.test] }, 'preview');
    }
}
