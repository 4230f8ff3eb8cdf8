/**
 * The extension's commands. Each client command ID differs from the server command it forwards
 * to (the language client registers the server's IDs itself): `fixloop.debugSelection` runs the
 * server's `fixloop.fix` with the selection, `fixloop.runCurrentFile` its `fixloop.runFile`, and
 * so on. Handlers only gather arguments from the editor and hand over to the flows; a failed
 * server command becomes the problem its error code names.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { APPLY_COMMAND, type ApplyOutcome, DISCARD_COMMAND, SHOW_DIFF_COMMAND } from './diffPreview';
import type { FixOutcome, ServerGateway } from './fixRunner';
import type { InterpreterChoice } from './interpreter';
import type { Logger, Redactor } from './log';
import type { LspWorkspaceEdit } from './lspEdits';
import { INSTALL_OPTIONAL_COMMAND, needsUserAction, pipArguments, type Problem, problemFor, SET_API_KEY_COMMAND } from './problems';
import { type CommandFailure, describeResult, describeRun, errorCode, isFailure, ServerCommand } from './protocol';
import { ApiKeyStore, cleanApiKey, validateApiKeyInput } from './secrets';
import type { SandboxLabel } from './status';
import { renderGeneratedTests, renderTaskResult } from './views';

export const ClientCommand = {
    debugSelection: 'fixloop.debugSelection',
    fixFile: 'fixloop.fixFile',
    runFile: 'fixloop.runCurrentFile',
    runTests: 'fixloop.runCurrentTests',
    generateTests: 'fixloop.generateTestsForSelection',
    solveTask: 'fixloop.solveTask',
    cancel: 'fixloop.cancelRun',
    showTranscript: 'fixloop.showTranscript',
    setApiKey: SET_API_KEY_COMMAND,
    clearApiKey: 'fixloop.clearApiKey',
    restartServer: 'fixloop.restartServer',
    applyFix: APPLY_COMMAND,
    discardFix: DISCARD_COMMAND,
    showFixDiff: SHOW_DIFF_COMMAND,
    fixTestItem: 'fixloop.fixTestItem',
    showOutput: 'fixloop.showOutput',
    installOptional: INSTALL_OPTIONAL_COMMAND,
} as const;

export interface CommandDeps {
    readonly server: ServerGateway & {
        restart(): Promise<boolean>;
        toWorkspaceEdit(edit: LspWorkspaceEdit): Promise<vscode.WorkspaceEdit>;
        readonly interpreter: InterpreterChoice | undefined;
        resetMissingReports(): void;
    };
    readonly runner: { fixDocument(document: vscode.TextDocument, range: vscode.Range | undefined): Promise<FixOutcome> };
    readonly previews: { apply(target?: unknown): Promise<ApplyOutcome>; discard(target?: unknown): Promise<void>; showDiff(target?: unknown): Promise<void> };
    readonly tests: { fromTestItem(item: unknown): Promise<FixOutcome | undefined> };
    /** Show the transcript of `uri`'s last fix (or the last one). */
    readonly showTranscript: (uri?: string) => Promise<void>;
    /** Open a read-only document (closes without a prompt to save). */
    readonly openReadOnly: (name: string, content: string) => Promise<unknown>;
    readonly keys: ApiKeyStore;
    readonly redactor: Redactor;
    /** A run reported the sandbox it used. */
    readonly sandboxUsed: (sandbox: SandboxLabel) => void;
    readonly log: Logger;
    readonly output: vscode.OutputChannel;
    readonly reportProblem: (problem: Problem) => void;
    readonly reportFailure: (error: unknown) => void;
}

/** The active Python editor, or undefined after telling the user to open one. */
function pythonEditor(): vscode.TextEditor | undefined {
    const editor = vscode.window.activeTextEditor;
    if (!editor || editor.document.languageId !== 'python') {
        void vscode.window.showInformationMessage('Fixloop: open a Python file first.');
        return undefined;
    }
    return editor;
}

function lspRange(range: vscode.Range): { start: { line: number; character: number }; end: { line: number; character: number } } {
    return {
        start: { line: range.start.line, character: range.start.character },
        end: { line: range.end.line, character: range.end.character },
    };
}

/** Write generated tests through a WorkspaceEdit, so the user can undo it like any edit. */
async function saveGeneratedTests(target: string, code: string, near: vscode.Uri): Promise<void> {
    const folder = vscode.workspace.getWorkspaceFolder(near)?.uri.fsPath ?? path.dirname(near.fsPath);
    const uri = vscode.Uri.file(path.isAbsolute(target) ? target : path.join(folder, target));
    if (existsSync(uri.fsPath)) {
        void vscode.window.showWarningMessage(`${path.basename(uri.fsPath)} already exists; copy the generated tests from the preview instead.`);
        return;
    }
    const edit = new vscode.WorkspaceEdit();
    edit.createFile(uri, { ignoreIfExists: false });
    edit.insert(uri, new vscode.Position(0, 0), code);
    if (await vscode.workspace.applyEdit(edit)) {
        await vscode.window.showTextDocument(uri);
    }
}

export function registerCommands(deps: CommandDeps): vscode.Disposable[] {
    const { server, log } = deps;
    const problem = (failure: CommandFailure) => deps.reportProblem(problemFor(failure, server.interpreter?.path));

    /** Run a server command with a progress notification; failures become one clear message. */
    async function withServer<T>(title: string, command: string, argument: object): Promise<T | undefined> {
        try {
            return await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: false }, (progress) =>
                server.execute<T>(command, argument, { onProgress: (message) => progress.report({ message }) }),
            );
        } catch (error) {
            deps.reportFailure(error);
            return undefined;
        }
    }

    const handlers: Record<string, (...args: unknown[]) => unknown> = {
        [ClientCommand.debugSelection]: () => {
            const editor = pythonEditor();
            return editor && deps.runner.fixDocument(editor.document, editor.selection.isEmpty ? undefined : editor.selection);
        },
        [ClientCommand.fixFile]: () => {
            const editor = pythonEditor();
            return editor && deps.runner.fixDocument(editor.document, undefined);
        },
        [ClientCommand.runFile]: async () => {
            const editor = pythonEditor();
            if (!editor) {
                return undefined;
            }
            const result = await withServer<Record<string, unknown>>(`Fixloop: running ${path.basename(editor.document.uri.fsPath)}`, ServerCommand.runFile, { uri: editor.document.uri.toString() });
            if (isFailure(result)) {
                if (errorCode(result) !== 'stale') {
                    problem(result);
                }
            } else if (result !== undefined) {
                log.info(`run ${path.basename(editor.document.uri.fsPath)}: ${describeRun(result)}`);
                vscode.window.setStatusBarMessage(`Fixloop: ${describeRun(result)}`, 8000);
                if (typeof result.sandbox === 'string' && typeof result.protected === 'boolean') {
                    deps.sandboxUsed({ name: result.sandbox, protected: result.protected });
                }
            }
            return result;
        },
        [ClientCommand.runTests]: async () => {
            const editor = pythonEditor();
            if (!editor) {
                return undefined;
            }
            const result = await withServer<Record<string, unknown>>(`Fixloop: testing ${path.basename(editor.document.uri.fsPath)}`, ServerCommand.runTests, { uri: editor.document.uri.toString() });
            if (isFailure(result)) {
                if (errorCode(result) !== 'stale') {
                    problem(result);
                }
            } else if (result !== undefined) {
                vscode.window.setStatusBarMessage(`Fixloop tests: ${describeResult(result)}`, 8000);
            }
            return result;
        },
        [ClientCommand.generateTests]: async () => {
            const editor = pythonEditor();
            if (!editor) {
                return undefined;
            }
            const document = editor.document;
            const result = await withServer<Record<string, unknown>>(`Fixloop: generating tests for ${path.basename(document.uri.fsPath)}`, ServerCommand.generateTests, {
                uri: document.uri.toString(),
                version: document.version,
                range: lspRange(editor.selection),
            });
            if (result === undefined) {
                return undefined;
            }
            if (isFailure(result) && needsUserAction(result)) {
                problem(result); // no model, no key, no sandbox: say exactly what, with buttons
                return result;
            }
            const edit = result?.edit as LspWorkspaceEdit | undefined;
            if (edit && typeof edit === 'object') {
                const choice = await vscode.window.showInformationMessage(`Fixloop generated tests${typeof result.summary === 'string' ? `: ${result.summary}` : ''}. Add them to the workspace?`, 'Add Tests', 'Discard');
                if (choice === 'Add Tests') {
                    await vscode.workspace.applyEdit(await server.toWorkspaceEdit(edit));
                }
                return result;
            }
            const markdown = renderGeneratedTests(result);
            if (markdown) {
                await deps.openReadOnly('Generated tests.md', markdown);
                const target = typeof result.path === 'string' && result.path ? result.path : undefined;
                const code = typeof result.text === 'string' ? result.text : undefined;
                if (target && code) {
                    void vscode.window.showInformationMessage(`Save the generated tests as ${path.basename(target)}?`, 'Save Tests').then(async (choice) => {
                        if (choice === 'Save Tests') {
                            await saveGeneratedTests(target, code, document.uri);
                        }
                    });
                }
            } else {
                void vscode.window.showWarningMessage(`Fixloop generated no tests: ${describeResult(result)}`);
            }
            return result;
        },
        [ClientCommand.solveTask]: async () => {
            const folder = vscode.window.activeTextEditor
                ? vscode.workspace.getWorkspaceFolder(vscode.window.activeTextEditor.document.uri)
                : vscode.workspace.workspaceFolders?.[0];
            if (!folder) {
                void vscode.window.showInformationMessage('Fixloop: open a folder first; the task runs with that folder as its input.');
                return undefined;
            }
            const text = await vscode.window.showInputBox({
                title: 'Fixloop: Solve Task in Sandbox',
                prompt: 'Describe the task. Fixloop writes a script, runs it in the sandbox and shows the script and the files it produced.',
                placeHolder: 'e.g. count the words in every .txt file and write the totals to counts.csv',
                ignoreFocusOut: true,
            });
            if (!text?.trim()) {
                return undefined;
            }
            const result = await withServer<unknown>('Fixloop: solving the task in the sandbox', ServerCommand.task, { text, folder: folder.uri.fsPath });
            if (isFailure(result) && needsUserAction(result)) {
                problem(result);
            } else if (result !== undefined) {
                // Read-only: the user reads or copies it, and it closes without a save prompt.
                await deps.openReadOnly('Fixloop task result.md', renderTaskResult(text, result));
            }
            return result;
        },
        [ClientCommand.cancel]: async () => {
            try {
                await server.execute(ServerCommand.cancel, {});
            } catch (error) {
                deps.reportFailure(error);
            }
        },
        [ClientCommand.showTranscript]: async () => {
            try {
                await deps.showTranscript(vscode.window.activeTextEditor?.document.uri.toString());
            } catch (error) {
                deps.reportFailure(error);
            }
        },
        [ClientCommand.setApiKey]: async () => {
            const input = await vscode.window.showInputBox({
                title: 'Fixloop: Set API Key',
                prompt: "The key is kept in VS Code's secret storage and passed only to the Fixloop server process.",
                password: true,
                ignoreFocusOut: true,
                validateInput: validateApiKeyInput,
            });
            const key = cleanApiKey(input);
            if (!key) {
                return false;
            }
            deps.redactor.add(key);
            await deps.keys.set(key);
            log.info('API key stored in secret storage; restarting the server');
            void vscode.window.showInformationMessage("Fixloop: API key saved in VS Code's secret storage.");
            return true;
        },
        [ClientCommand.clearApiKey]: async () => {
            const had = await deps.keys.clear();
            log.info(had ? 'API key removed; restarting the server' : 'no API key was stored');
            void vscode.window.showInformationMessage(had ? 'Fixloop: API key removed.' : 'Fixloop: no API key was stored.');
            return had;
        },
        [ClientCommand.restartServer]: async () => {
            log.info('restarting the server');
            const ok = await server.restart();
            if (ok) {
                void vscode.window.setStatusBarMessage('Fixloop: server restarted', 5000);
            }
            return ok;
        },
        // From the title bar (the diff's URI), a notification link (the document's URI) or the palette.
        [ClientCommand.applyFix]: (target?: unknown) => deps.previews.apply(target),
        [ClientCommand.discardFix]: (target?: unknown) => deps.previews.discard(target),
        [ClientCommand.showFixDiff]: (target?: unknown) => deps.previews.showDiff(target),
        [ClientCommand.fixTestItem]: (item?: unknown) => deps.tests.fromTestItem(item),
        [ClientCommand.showOutput]: () => deps.output.show(true),
        [ClientCommand.installOptional]: async (modules: unknown) => {
            const interpreter = server.interpreter?.path;
            if (!interpreter || !Array.isArray(modules)) {
                return false;
            }
            const args = pipArguments(modules.filter((m): m is string => typeof m === 'string'));
            log.info(`installing into ${interpreter}: ${args.slice(4).join(' ')}`);
            const ok = await vscode.window.withProgress(
                { location: vscode.ProgressLocation.Notification, title: `Fixloop: installing ${args.slice(4).join(' ')}` },
                () =>
                    new Promise<boolean>((resolve) => {
                        execFile(interpreter, args, { timeout: 10 * 60 * 1000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
                            deps.output.appendLine(stdout + stderr);
                            resolve(!error);
                        });
                    }),
            );
            if (!ok) {
                void vscode.window
                    .showErrorMessage(`Fixloop: pip could not install the packages into ${interpreter}; the "Fixloop" output shows pip's message.`, 'Show Output')
                    .then((choice) => choice && deps.output.show(true));
                return false;
            }
            server.resetMissingReports();
            await server.restart();
            void vscode.window.showInformationMessage('Fixloop: packages installed; the server restarted.');
            return true;
        },
    };
    return Object.entries(handlers).map(([id, handler]) => vscode.commands.registerCommand(id, handler));
}
