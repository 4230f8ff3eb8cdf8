/** Fix All Failing Tests: the sweep's progress and Cancel, the tree's items, Show Diff, and Apply as a versioned edit. */
import assert from 'node:assert/strict';
import { beforeEach, test } from 'node:test';
import { parseSweepResult, SWEEP_OWNER, SWEEP_SCHEME, SweepCommand, sweepNodes, SweepView } from '../src/sweepView';
import { capturingLogger, RecordingServer } from './helpers';
import * as vscode from './vscode-stub';

const ORIGINAL = 'def rate(kg):\n    if kg < 5:\n        return 4\n';
const FIXED = 'def rate(kg):\n    if kg <= 5:\n        return 4\n';

const ANSWER = {
    ok: true,
    passed: 22,
    failed: 3,
    combined: { holds: true, before: '22/25 tests pass', after: '24/25 tests pass' },
    unassigned: ['tests/test_misc.py::test_env'],
    jobs: [
        {
            id: 'shipping/rates.py',
            target: 'shipping/rates.py',
            uri: 'file:///ws/shipping/rates.py',
            tests: ['tests/test_rates.py::test_a', 'tests/test_rates.py::test_b'],
            verdict: 'fixed',
            summary: 'compare < -> <=',
            proof: '2 failing -> 6/6 tests pass',
            reason: '',
            node: 'ray:abc@host',
            durationMs: 12500,
            original: ORIGINAL,
            fixed: FIXED,
            inCombinedPatch: true,
            passesWithCombinedPatch: false,
        },
        { id: 'shapes/plan.py', target: 'shapes/plan.py', uri: 'file:///ws/shapes/plan.py', tests: ['tests/test_shapes.py::test_plan'], verdict: 'not_fixed', reason: 'no candidate passed the oracle', passesWithCombinedPatch: true },
    ],
};

let server: RecordingServer;
let view: SweepView;
let failures: unknown[];

beforeEach(() => {
    vscode.stub.reset();
    server = new RecordingServer();
    failures = [];
    const { log } = capturingLogger();
    view = new SweepView(server, log, (error) => failures.push(error));
    view.registerCommands();
    vscode.workspace.workspaceFolders = [{ uri: vscode.Uri.file('/ws') }];
});

test('the tree has a summary, one item per job with its tests, and the unassigned tests', () => {
    const nodes = sweepNodes(parseSweepResult(ANSWER));
    assert.deepEqual(
        nodes.map((node) => [node.label, node.description, node.contextValue]),
        [
            ['1 of 2 modules fixed', '22/25 tests pass -> 24/25 tests pass', 'fixloopSweepInfo'],
            ['shipping/rates.py', 'fixed: 2 failing -> 6/6 tests pass', 'fixloopSweepFix'],
            ['shapes/plan.py', 'passes with the other fixes', 'fixloopSweepJob'],
            ['tests/test_misc.py::test_env', 'points at no project module', 'fixloopSweepTest'],
        ],
    );
    assert.deepEqual(nodes[1]?.children.map((child) => child.label), ['tests/test_rates.py::test_a', 'tests/test_rates.py::test_b']);
    assert.match(nodes[1]?.tooltip ?? '', /2 failing tests, 12\.5s on ray:abc@host/);
    // Garbage from a server is read as empty, never a crash.
    assert.deepEqual(parseSweepResult('nonsense').jobs, []);
    assert.equal(parseSweepResult({ jobs: [null, 3, { id: 7 }] }).jobs[0]?.id, '');
});

test('Fix All Failing Tests sweeps the folder with progress and fills the tree', async () => {
    server.responses.set('fixloop.sweep', (_argument: object, options?: { onProgress?: (m: string) => void }) => {
        options?.onProgress?.('[1/2] fixed: shipping/rates.py');
        return ANSWER;
    });
    const result = await vscode.commands.executeCommand(SweepCommand.run);
    assert.ok(result);
    assert.deepEqual(server.calls[0]?.argument, { folder: 'file:///ws' });
    assert.equal(vscode.stub.progress[0]?.title, 'Fixloop: fixing all failing tests');
    assert.deepEqual(vscode.stub.progress[0]?.messages, ['[1/2] fixed: shipping/rates.py']);
    assert.equal(view.getChildren().length, 4);
    assert.match(vscode.stub.messages.at(-1)?.text ?? '', /1 of 2 modules with failing tests have a verified fix/);
    assert.equal(vscode.stub.appliedEdits.length, 0, 'nothing applied without the user');
});

test('Cancel asks the server to stop the sweep; a refused sweep says why and keeps the tree', async () => {
    vscode.stub.cancelProgressImmediately = true;
    server.responses.set('fixloop.sweep', async () => {
        await new Promise((resolve) => setTimeout(resolve, 20));
        return { ok: false, reason: 'cancelled by the user' };
    });
    await view.run();
    assert.deepEqual(server.calls.find((call) => call.command === 'fixloop.cancel')?.argument, { uri: SWEEP_OWNER });
    assert.match(vscode.stub.messages.at(-1)?.text ?? '', /the sweep stopped: cancelled by the user/);
    assert.equal(view.getChildren().length, 0);
});

test('Show Diff opens the original and the fixed text side by side', async () => {
    const [, fixed] = sweepNodes(parseSweepResult(ANSWER));
    await vscode.commands.executeCommand(SweepCommand.showDiff, fixed);
    const diff = vscode.stub.executed.find((call) => call.command === 'vscode.diff');
    assert.ok(diff);
    const [left, right, title] = diff.args as [vscode.Uri, vscode.Uri, string];
    assert.equal(left.scheme, SWEEP_SCHEME);
    assert.equal(vscode.stub.providers.get(SWEEP_SCHEME)?.provideTextDocumentContent(left), ORIGINAL);
    assert.equal(vscode.stub.providers.get(SWEEP_SCHEME)?.provideTextDocumentContent(right), FIXED);
    assert.equal(title, 'rates.py: sweep fix (2 failing -> 6/6 tests pass)');
});

test('Apply applies the versioned edit the server computed for the open document', async () => {
    const [, fixed, unfixed] = sweepNodes(parseSweepResult(ANSWER));
    const edit = { documentChanges: [{ textDocument: { uri: 'file:///ws/shipping/rates.py', version: 4 }, edits: [] }] };
    server.responses.set('fixloop.sweepEdit', { ok: true, version: 4, edit });
    assert.equal(await view.apply(fixed), 'applied');
    assert.deepEqual(server.calls.at(-1)?.argument, { job: 'shipping/rates.py', uri: 'file:///ws/shipping/rates.py' });
    assert.deepEqual(vscode.stub.appliedEdits, [{ converted: edit }]);
    // A job without a fix has nothing to apply.
    assert.equal(await view.apply(unfixed), 'nothing');
    // The document changed since the sweep: the server says stale, nothing is applied.
    server.responses.set('fixloop.sweepEdit', { ok: false, stale: true, reason: 'shipping/rates.py changed since the sweep; run it again' });
    assert.equal(await view.apply(fixed), 'stale');
    assert.equal(vscode.stub.appliedEdits.length, 1);
    // VS Code refuses a versioned edit whose version is gone: reported, not claimed as applied.
    server.responses.set('fixloop.sweepEdit', { ok: true, version: 4, edit });
    vscode.stub.applyEditResult = false;
    assert.equal(await view.apply(fixed), 'stale');
    assert.match(vscode.stub.messages.at(-1)?.text ?? '', /changed while the fix was applied/);
});
