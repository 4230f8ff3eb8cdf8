/** Command wiring: every contributed command is registered and forwards to the right server command. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, test } from 'node:test';
import { ClientCommand, registerCommands } from '../src/commands';
import { ServerCommand } from '../src/protocol';
import { SweepView } from '../src/sweepView';
import { RecordingServer, type Recorded, recordingDeps } from './helpers';
import * as vscode from './vscode-stub';

interface Manifest {
    contributes: { commands: Array<{ command: string }>; menus: Record<string, Array<{ command: string; when?: string }>> };
}
const manifest = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as Manifest;

let server: RecordingServer;
let recorded: Recorded;

beforeEach(() => {
    vscode.stub.reset();
    server = new RecordingServer();
    const setup = recordingDeps(server, vscode.window.createOutputChannel('Fixloop'));
    recorded = setup.recorded;
    registerCommands(setup.deps);
    new SweepView(server, setup.deps.log, (error) => recorded.failures.push(error)).registerCommands();
});

function openEditor(selection = new vscode.Selection(2, 0, 4, 10)) {
    const document = vscode.fakeDocument('/ws/stats.py', 'x = 1\n', 5);
    vscode.window.activeTextEditor = { document, selection };
    return document;
}

test('every command in package.json is registered, and client IDs differ from server IDs', () => {
    const contributed = manifest.contributes.commands.map((c) => c.command);
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
    assert.equal(recorded.fixes.length, 2);
    assert.equal(recorded.fixes[0]?.uri, 'file:///ws/stats.py');
    assert.deepEqual((recorded.fixes[0]?.range as vscode.Range).end, new vscode.Position(4, 10));
    assert.equal(recorded.fixes[1]?.range, undefined);
});

test('an empty selection fixes the file; no Python editor asks to open one', async () => {
    openEditor(new vscode.Selection(1, 0, 1, 0));
    await vscode.commands.executeCommand(ClientCommand.debugSelection);
    assert.equal(recorded.fixes[0]?.range, undefined);
    vscode.window.activeTextEditor = undefined;
    await vscode.commands.executeCommand(ClientCommand.debugSelection);
    assert.equal(recorded.fixes.length, 1);
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
    assert.equal(recorded.problems.length + recorded.failures.length, 0);
});

test('a sandbox problem from Run File becomes the problem its code names', async () => {
    openEditor();
    server.responses.set(ServerCommand.runFile, { ok: false, code: 'sandbox-unavailable', sandbox: 'docker', reason: 'cannot connect to the Docker engine' });
    await vscode.commands.executeCommand(ClientCommand.runFile);
    assert.equal(recorded.problems.length, 1);
    assert.match(recorded.problems[0]?.message ?? '', /Docker sandbox is not available.*Start the Docker engine/);
});

test('a stale Run File result is dropped quietly; a run reports its sandbox', async () => {
    openEditor();
    server.responses.set(ServerCommand.runFile, { ok: false, code: 'stale', reason: 'the document changed' });
    await vscode.commands.executeCommand(ClientCommand.runFile);
    assert.equal(recorded.problems.length, 0);
    server.responses.set(ServerCommand.runFile, { ok: true, status: 'ok', sandbox: 'local', protected: false });
    await vscode.commands.executeCommand(ClientCommand.runFile);
    assert.deepEqual(recorded.sandboxes, [{ name: 'local', protected: false }]);
});

test('Generate Tests sends uri, version and the selection; without a model it says what is missing', async () => {
    openEditor();
    server.responses.set(ServerCommand.generateTests, { ok: false, code: 'no-model', missing: ['model', 'key'], reason: 'Test generation needs a model: set a model name and an API key' });
    await vscode.commands.executeCommand(ClientCommand.generateTests);
    assert.deepEqual(server.calls[0]?.argument, { uri: 'file:///ws/stats.py', version: 5, range: { start: { line: 2, character: 0 }, end: { line: 4, character: 10 } } });
    const [problem] = recorded.problems;
    assert.match(problem?.message ?? '', /Test generation needs a model/);
    assert.deepEqual(problem?.actions.map((a) => a.title), ['Set API Key', 'Open Settings']);
});

test('Solve Task asks for the text and sends it with the folder', async () => {
    vscode.workspace.workspaceFolders = [{ uri: vscode.Uri.file('/ws') }];
    vscode.stub.inputAnswers.push('count words in a.txt');
    server.responses.set(ServerCommand.task, { ok: true, script: 'print(1)', files: ['counts.csv'], output: '1' });
    await vscode.commands.executeCommand(ClientCommand.solveTask);
    vscode.workspace.workspaceFolders = undefined;
    assert.deepEqual(server.calls[0]?.argument, { text: 'count words in a.txt', folder: '/ws' });
    assert.equal(recorded.readOnly.length, 1, 'the result opens as a read-only document');
    assert.match(recorded.readOnly[0]?.content ?? '', /## Script/);
});

test('Solve Task without a key offers Set API Key and opens nothing', async () => {
    vscode.workspace.workspaceFolders = [{ uri: vscode.Uri.file('/ws') }];
    vscode.stub.inputAnswers.push('count words');
    server.responses.set(ServerCommand.task, { ok: false, code: 'no-model', missing: ['key'], reason: 'Solve Task needs a model: set an API key' });
    await vscode.commands.executeCommand(ClientCommand.solveTask);
    vscode.workspace.workspaceFolders = undefined;
    assert.equal(recorded.readOnly.length, 0);
    assert.deepEqual(recorded.problems[0]?.actions.map((a) => a.command), ['fixloop.setApiKey']);
});

test('Cancel, Restart, Apply, Discard, Show Diff and Fix with Fixloop reach their targets', async () => {
    await vscode.commands.executeCommand(ClientCommand.cancel);
    assert.deepEqual(server.calls[0], { command: ServerCommand.cancel, argument: {}, options: undefined });
    await vscode.commands.executeCommand(ClientCommand.restartServer);
    assert.equal(server.restarts, 1);
    await vscode.commands.executeCommand(ClientCommand.applyFix);
    await vscode.commands.executeCommand(ClientCommand.discardFix, 'file:///ws/stats.py');
    await vscode.commands.executeCommand(ClientCommand.showFixDiff, 'file:///ws/stats.py');
    assert.deepEqual(recorded.previewCalls, [
        ['apply', undefined],
        ['discard', 'file:///ws/stats.py'],
        ['showDiff', 'file:///ws/stats.py'],
    ]);
    const item = { id: 'test_stats.py::test_mean', uri: vscode.Uri.file('/ws/test_stats.py') };
    await vscode.commands.executeCommand(ClientCommand.fixTestItem, item);
    assert.deepEqual(recorded.testItems, [item]);
});

test('Fix with Fixloop is in the Testing view, for test items with a file, and not in the palette', () => {
    for (const menu of ['testing/item/context', 'testing/item/gutter']) {
        assert.deepEqual(manifest.contributes.menus[menu]?.map((m) => [m.command, m.when]), [[ClientCommand.fixTestItem, 'testing.testItemHasUri']]);
    }
    assert.equal(manifest.contributes.menus.commandPalette?.find((m) => m.command === ClientCommand.fixTestItem)?.when, 'false');
});

test('Show Transcript shows the active document\'s transcript', async () => {
    openEditor();
    await vscode.commands.executeCommand(ClientCommand.showTranscript);
    assert.deepEqual(recorded.transcripts, ['file:///ws/stats.py']);
});
