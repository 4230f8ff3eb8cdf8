/** Command wiring: every contributed command is registered and forwards to the right server command. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, test } from 'node:test';
import { ClientCommand, registerCommands } from '../src/commands';
import { ServerCommand } from '../src/protocol';
import { ApiKeyStore } from '../src/secrets';
import { StatusIndicator } from '../src/status';
import { SweepView } from '../src/sweepView';
import { capturingLogger, MemorySecrets, RecordingServer } from './helpers';
import * as vscode from './vscode-stub';

const manifest = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8'));

let server: RecordingServer;
let fixes: Array<{ uri: string; range: unknown }>;
let previewCalls: string[];
let failures: unknown[];

beforeEach(() => {
    vscode.stub.reset();
    server = new RecordingServer();
    fixes = [];
    previewCalls = [];
    failures = [];
    const { log, redactor } = capturingLogger();
    registerCommands({
        server,
        runner: {
            fixDocument: async (document, range) => {
                fixes.push({ uri: document.uri.toString(), range });
                return 'verified';
            },
        },
        previews: {
            apply: async () => {
                previewCalls.push('apply');
                return 'applied';
            },
            discard: async () => {
                previewCalls.push('discard');
            },
        },
        keys: new ApiKeyStore(new MemorySecrets() as never),
        redactor,
        status: new StatusIndicator(ClientCommand.showTranscript),
        log,
        output: vscode.window.createOutputChannel('Fixloop') as never,
        reportFailure: (error) => failures.push(error),
    });
    new SweepView(server, log, (error) => failures.push(error)).registerCommands();
});

function openEditor(selection = new vscode.Selection(2, 0, 4, 10)) {
    const document = vscode.fakeDocument('/ws/stats.py', 'x = 1\n', 5);
    vscode.window.activeTextEditor = { document, selection };
    return document;
}

test('every command in package.json is registered, and client IDs differ from server IDs', () => {
    const contributed: string[] = manifest.contributes.commands.map((c: { command: string }) => c.command);
    for (const id of contributed) {
        assert.ok(vscode.stub.registered.has(id), `${id} registered`);
    }
    const serverIds = new Set<string>(Object.values(ServerCommand));
    for (const id of vscode.stub.registered.keys()) {
        assert.ok(!serverIds.has(id), `${id} does not clash with a server command`);
    }
});

test('Debug and Fix Selection hands the selection to the fix flow; Fix File the whole file', async () => {
    openEditor();
    await vscode.commands.executeCommand(ClientCommand.debugSelection);
    await vscode.commands.executeCommand(ClientCommand.fixFile);
    assert.equal(fixes.length, 2);
    assert.equal(fixes[0]?.uri, 'file:///ws/stats.py');
    assert.deepEqual((fixes[0]?.range as vscode.Range).end, new vscode.Position(4, 10));
    assert.equal(fixes[1]?.range, undefined);
});

test('an empty selection fixes the file; no Python editor asks to open one', async () => {
    openEditor(new vscode.Selection(1, 0, 1, 0));
    await vscode.commands.executeCommand(ClientCommand.debugSelection);
    assert.equal(fixes[0]?.range, undefined);
    vscode.window.activeTextEditor = undefined;
    await vscode.commands.executeCommand(ClientCommand.debugSelection);
    assert.equal(fixes.length, 1);
    assert.match(vscode.stub.messages.at(-1)?.text ?? '', /open a Python file/);
});

test('Run File and Run Tests forward the document URI and summarise the result', async () => {
    openEditor();
    server.responses.set(ServerCommand.runFile, { ok: false, status: 'error', error: { type: 'ZeroDivisionError', message: 'division by zero', line: 2 } });
    server.responses.set(ServerCommand.runTests, { ok: false, passed: 3, failed: 1, failures: [] });
    await vscode.commands.executeCommand(ClientCommand.runFile);
    await vscode.commands.executeCommand(ClientCommand.runTests);
    assert.deepEqual(server.calls.map((c) => [c.command, c.argument]), [
        [ServerCommand.runFile, { uri: 'file:///ws/stats.py' }],
        [ServerCommand.runTests, { uri: 'file:///ws/stats.py' }],
    ]);
    assert.deepEqual(vscode.stub.statusBarMessages, ['Fixloop: ZeroDivisionError: division by zero (line 2)', 'Fixloop tests: 3 passed, 1 failed']);
    assert.equal(failures.length, 0);
});

test('a sandbox problem from Run File becomes a failure report', async () => {
    openEditor();
    server.responses.set(ServerCommand.runFile, { ok: false, reason: 'the docker sandbox is unavailable: cannot connect to the Docker engine' });
    await vscode.commands.executeCommand(ClientCommand.runFile);
    assert.equal(failures.length, 1);
});

test('Generate Tests sends uri, version and the selection', async () => {
    openEditor();
    server.responses.set(ServerCommand.generateTests, { ok: false, reason: 'test generation needs a model' });
    await vscode.commands.executeCommand(ClientCommand.generateTests);
    assert.deepEqual(server.calls[0]?.argument, { uri: 'file:///ws/stats.py', version: 5, range: { start: { line: 2, character: 0 }, end: { line: 4, character: 10 } } });
    assert.match(vscode.stub.messages.at(-1)?.text ?? '', /test generation needs a model/);
});

test('Solve Task asks for the text and sends it with the folder', async () => {
    vscode.workspace.workspaceFolders = [{ uri: vscode.Uri.file('/ws') }];
    vscode.stub.inputAnswers.push('count words in a.txt');
    server.responses.set(ServerCommand.task, { ok: true, script: 'print(1)', files: ['counts.csv'], output: '1' });
    await vscode.commands.executeCommand(ClientCommand.solveTask);
    vscode.workspace.workspaceFolders = undefined;
    assert.deepEqual(server.calls[0]?.argument, { text: 'count words in a.txt', folder: '/ws' });
    assert.equal(vscode.stub.openedDocuments.length, 1);
});

test('Cancel, Restart, Apply and Discard reach their targets', async () => {
    await vscode.commands.executeCommand(ClientCommand.cancel);
    assert.deepEqual(server.calls[0], { command: ServerCommand.cancel, argument: {}, options: undefined });
    await vscode.commands.executeCommand(ClientCommand.restartServer);
    assert.equal(server.restarts, 1);
    await vscode.commands.executeCommand(ClientCommand.applyFix);
    await vscode.commands.executeCommand(ClientCommand.discardFix);
    assert.deepEqual(previewCalls, ['apply', 'discard']);
});

test('Show Transcript asks the server for the active document', async () => {
    openEditor();
    server.responses.set(ServerCommand.transcript, { ok: false, reason: 'no transcript yet: run a fix first' });
    await vscode.commands.executeCommand(ClientCommand.showTranscript);
    assert.deepEqual(server.calls[0]?.argument, { uri: 'file:///ws/stats.py' });
    assert.match(vscode.stub.messages.at(-1)?.text ?? '', /no transcript yet/);
});
