/** Fix state per document: every place offering a fix follows it; the status bar shows the active document. */
import assert from 'node:assert/strict';
import { beforeEach, test } from 'node:test';
import { FIXED_SCHEME, FixPreviews, ORIGINAL_SCHEME, PREVIEW_CONTEXT } from '../src/diffPreview';
import { FixRunner } from '../src/fixRunner';
import { DocumentStates } from '../src/fixState';
import { StatusIndicator } from '../src/status';
import { fixWiring, RecordingServer, settle, verifiedFixResult } from './helpers';
import * as vscode from './vscode-stub';

const ORIGINAL = 'def mean(xs):\n    return sum(xs) / len(xs)\n';
const FIXED = 'def mean(xs):\n    return sum(xs) / len(xs) if xs else 0.0\n';
const URI = 'file:///ws/stats.py';

function verified(version: number) {
    return verifiedFixResult(URI, version, [{ range: { start: { line: 1, character: 28 }, end: { line: 1, character: 28 } }, newText: ' if xs else 0.0' }]);
}

let server: RecordingServer;
let states: DocumentStates;
let previews: FixPreviews;
let runner: FixRunner;
let document: vscode.FakeDocument;

beforeEach(() => {
    vscode.stub.reset();
    server = new RecordingServer();
    ({ states, previews, runner } = fixWiring(server));
    document = vscode.fakeDocument('/ws/stats.py', ORIGINAL, 3);
    vscode.workspace.textDocuments = [document];
    server.responses.set('fixloop.fix', verified(3));
});

function offer() {
    return vscode.stub.progress.find((p) => p.messages[0]?.includes('verified a fix'));
}

function openDiffTab(): void {
    const fixedUri = vscode.stub.executed.find((c) => c.command === 'vscode.diff')?.args[1] as vscode.Uri;
    vscode.window.tabGroups.all = [{ tabs: [{ input: new vscode.TabInputTextDiff(fixedUri.with({ scheme: ORIGINAL_SCHEME }), fixedUri) }] }];
}

test('applying the fix from the quick-fix menu closes the notification and the diff, and says so', async () => {
    await runner.fixDocument(document as never, undefined);
    openDiffTab();
    assert.equal(offer()?.done, false, 'the offer waits');
    // The quick fix applies the server's edit itself: the document just changes to the fixed text.
    vscode.editDocument(document, FIXED);
    await settle();
    assert.equal(offer()?.done, true, 'the notification closed');
    assert.equal(vscode.stub.closedTabs.length, 1, 'the diff closed');
    assert.equal(vscode.stub.contexts.get(PREVIEW_CONTEXT), false, 'the title-bar buttons went away');
    assert.equal(previews.current, undefined);
    assert.deepEqual(states.get(URI), { state: 'idle', detail: 'Applied the verified fix: guard empty xs (ZeroDivisionError -> exit 0).' });
    assert.match(vscode.stub.statusBarMessages.at(-1) ?? '', /applied the verified fix to stats\.py/);
    // The notification's Apply, pressed late, does not claim the fix was not applied.
    assert.equal(await previews.apply(URI), 'nothing');
    assert.ok(!vscode.stub.messages.some((m) => /not applied/.test(m.text)));
});

test('any other edit makes the waiting fix stale and closes its offer', async () => {
    await runner.fixDocument(document as never, undefined);
    vscode.editDocument(document, ORIGINAL + '# note\n');
    await settle();
    assert.equal(offer()?.done, true);
    assert.equal(states.get(URI).state, 'stale');
    assert.equal(vscode.stub.appliedEdits.length, 0);
});

test('a newer fix for the same document replaces the older offer', async () => {
    await runner.fixDocument(document as never, undefined);
    const first = offer();
    await runner.fixDocument(document as never, undefined);
    await settle();
    assert.equal(first?.done, true);
    assert.equal(vscode.stub.progress.filter((p) => p.messages[0]?.includes('verified a fix') && !p.done).length, 1);
    const fixed = vscode.stub.executed.filter((c) => c.command === 'vscode.diff').at(-1)?.args[1] as vscode.Uri;
    assert.equal(fixed.scheme, FIXED_SCHEME);
    assert.equal(vscode.stub.providers.get(FIXED_SCHEME)?.provideTextDocumentContent(fixed), FIXED);
});

test('the status bar shows the active document, not the last loop', async () => {
    const status = new StatusIndicator(states, 'fixloop.showTranscript');
    const other = vscode.fakeDocument('/ws/words.py', 'x = 1\n', 1);
    vscode.workspace.textDocuments = [document, other];
    vscode.activate(document);
    await runner.fixDocument(document as never, undefined);
    assert.equal(status.state, 'verified');
    assert.match(status.text, /Fixloop: verified/);
    states.set(other.uri.toString(), 'no-fix', 'no candidate passed');
    assert.match(status.text, /Fixloop: verified/, 'another file does not change what this one shows');
    vscode.activate(other);
    assert.equal(status.state, 'no-fix');
    assert.match(status.text, /Fixloop: no fix/);
    // In the fix's diff editor, the state is the fixed document's.
    vscode.activate({ ...document, uri: document.uri.with({ scheme: FIXED_SCHEME, query: 'fix=1' }) });
    assert.equal(status.state, 'verified');
    vscode.activate(undefined);
    assert.equal(status.state, 'idle');
    status.dispose();
});

test('the status bar names the sandbox, in the warning colour on local', () => {
    const status = new StatusIndicator(states, 'fixloop.showTranscript');
    const item = vscode.stub.statusItems.at(-1);
    const colour = (): string | undefined => item?.backgroundColor?.id;
    status.setSandbox({ name: 'bwrap', protected: true });
    assert.match(item?.text ?? '', /Fixloop · bwrap$/);
    assert.equal(colour(), undefined);
    status.setSandbox({ name: 'local', protected: false });
    assert.match(item?.text ?? '', /Fixloop · local$/);
    assert.equal(colour(), 'statusBarItem.warningBackground');
    assert.match(item?.tooltip ?? '', /unprotected, with your own rights/);
    states.set(URI, 'running', 'Debugging stats.py');
    vscode.activate(document);
    assert.match(item?.text ?? '', /sync~spin\) Fixloop: running · local$/);
    status.dispose();
});

test('discarding tells the server, so the quick-fix menu stops offering it', async () => {
    await runner.fixDocument(document as never, undefined);
    await previews.discard(URI);
    assert.deepEqual(server.calls.at(-1), { command: 'fixloop.discard', argument: { uri: URI, version: 3 }, options: undefined });
    assert.equal(offer()?.done, true);
    assert.equal(states.get(URI).detail, 'Discarded the verified fix.');
});

test('a fix for another tool\'s error says the checker did not run', async () => {
    server.responses.set('fixloop.fix', { ...verified(3), checker: { tool: 'mypy', code: 'arg-type', line: 2, message: 'x', installed: true, checked: false, note: 'python -m mypy did not run in the sandbox' } });
    await runner.run({ uri: URI, version: 3, checker: { tool: 'mypy', code: 'arg-type', line: 2, message: 'x' } }, 'quickfix');
    assert.match(offer()?.messages[0] ?? '', /Note: python -m mypy did not run in the sandbox/);
    assert.deepEqual((server.calls[0]?.argument as { checker?: unknown }).checker, { tool: 'mypy', code: 'arg-type', line: 2, message: 'x' });
});
