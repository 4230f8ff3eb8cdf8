/** The fix flow and the diff preview state: verified -> preview -> apply/discard; stale; no fix; cancel. */
import assert from 'node:assert/strict';
import { beforeEach, test } from 'node:test';
import { APPLY_COMMAND, FIXED_SCHEME, FixPreviews, ORIGINAL_SCHEME, PREVIEW_CONTEXT } from '../src/diffPreview';
import { FixRunner } from '../src/fixRunner';
import { DocumentStates } from '../src/fixState';
import type { Problem } from '../src/problems';
import { fixWiring, RecordingServer, settle, verifiedFixResult } from './helpers';
import * as vscode from './vscode-stub';

const ORIGINAL = 'def mean(xs):\n    return sum(xs) / len(xs)\n\nprint(mean([]))\n';
const FIXED_LINE = '    return sum(xs) / len(xs) if xs else 0.0';
const URI = 'file:///ws/stats.py';

function verifiedResult(version: number) {
    const edit = { range: { start: { line: 1, character: 0 }, end: { line: 1, character: 28 } }, newText: FIXED_LINE };
    return verifiedFixResult(URI, version, [edit], { diff: '...', transcript: '/state/transcripts/1.jsonl' });
}

let server: RecordingServer;
let previews: FixPreviews;
let runner: FixRunner;
let states: DocumentStates;
let failures: Problem[];
let transcripts: unknown[];
let document: vscode.FakeDocument;

/** The link titles of the (last) notification offering a verified fix. */
function offerLinks(): string[] {
    const offer = vscode.stub.progress.filter((p) => p.messages[0]?.includes('verified a fix')).pop();
    return [...(offer?.messages[0] ?? '').matchAll(/\[([^\]]+)\]\(command:/g)].map((m) => m[1] ?? '');
}

beforeEach(() => {
    vscode.stub.reset();
    server = new RecordingServer();
    failures = [];
    transcripts = [];
    ({ states, previews, runner } = fixWiring(
        server,
        (problem) => failures.push(problem),
        (transcript) => {
            transcripts.push(transcript);
            return Promise.resolve();
        },
    ));
    document = vscode.fakeDocument('/ws/stats.py', ORIGINAL, 3);
    vscode.workspace.textDocuments = [document];
    vscode.commands.registerCommand(APPLY_COMMAND, (target?: unknown) => previews.apply(target));
});

test('a verified fix opens a diff titled with the proof and sends the selection', async () => {
    server.responses.set('fixloop.fix', (_arg: object, options?: { onProgress?: (m: string) => void }) => {
        options?.onProgress?.('trying 3 candidates');
        return verifiedResult(3);
    });
    const outcome = await runner.fixDocument(document as never, new vscode.Range(0, 0, 1, 28) as never);
    assert.equal(outcome, 'verified');
    assert.deepEqual(server.calls[0]?.argument, { uri: URI, version: 3, range: { start: { line: 0, character: 0 }, end: { line: 1, character: 28 } } });
    assert.deepEqual(vscode.stub.progress[0]?.messages, ['trying 3 candidates']);
    const diff = vscode.stub.executed.find((call) => call.command === 'vscode.diff');
    assert.ok(diff, 'diff editor opened');
    const [left, right, title] = diff.args as [vscode.Uri, vscode.Uri, string];
    assert.equal(left.scheme, ORIGINAL_SCHEME);
    assert.equal(right.scheme, FIXED_SCHEME);
    assert.match(title, /stats\.py: verified fix \(ZeroDivisionError -> exit 0\)/);
    assert.equal(vscode.stub.providers.get(ORIGINAL_SCHEME)?.provideTextDocumentContent(left), ORIGINAL);
    assert.equal(vscode.stub.providers.get(FIXED_SCHEME)?.provideTextDocumentContent(right), ORIGINAL.replace('    return sum(xs) / len(xs)', FIXED_LINE));
    assert.equal(vscode.stub.contexts.get(PREVIEW_CONTEXT), true);
    assert.equal(states.get(URI).state, 'verified');
    assert.deepEqual(offerLinks(), ['Apply', 'Discard']);
    assert.equal(vscode.stub.appliedEdits.length, 0, 'nothing applied without the user');
});

test('Apply (title bar command) applies the server edit and closes the preview', async () => {
    server.responses.set('fixloop.fix', verifiedResult(3));
    await runner.fixDocument(document as never, undefined);
    const fixedUri = (vscode.stub.executed.find((c) => c.command === 'vscode.diff')?.args[1]) as vscode.Uri;
    vscode.window.tabGroups.all = [{ tabs: [{ input: new vscode.TabInputTextDiff(fixedUri.with({ scheme: ORIGINAL_SCHEME }), fixedUri) }] }];
    assert.equal(await vscode.commands.executeCommand('fixloop.applyPreviewedFix'), 'applied');
    assert.deepEqual(vscode.stub.appliedEdits, [{ converted: verifiedResult(3).edit }]);
    assert.equal(vscode.stub.contexts.get(PREVIEW_CONTEXT), false);
    assert.equal(vscode.stub.closedTabs.length, 1);
    assert.equal(previews.current, undefined);
    assert.equal(await previews.apply(), 'nothing', 'a second apply does nothing');
});

test('Apply from the notification link works too, and closes the notification', async () => {
    server.responses.set('fixloop.fix', verifiedResult(3));
    await runner.fixDocument(document as never, undefined);
    const offer = vscode.stub.progress.find((p) => p.messages[0]?.includes('verified a fix'));
    const link = /\[Apply\]\(command:([\w.]+)\?([^)]+)\)/.exec(offer?.messages[0] ?? '');
    assert.ok(link, 'the notification has an Apply link');
    const [, command, encoded] = link;
    assert.equal(await vscode.commands.executeCommand(command ?? '', ...(JSON.parse(decodeURIComponent(encoded ?? '')) as unknown[])), 'applied');
    assert.equal(vscode.stub.appliedEdits.length, 1);
    await settle();
    assert.equal(offer?.done, true, 'the notification closed');
});

test('a document edited after the fix is not applied; the user is offered a re-run', async () => {
    server.responses.set('fixloop.fix', verifiedResult(3));
    await runner.fixDocument(document as never, undefined);
    document.version = 4;
    vscode.stub.answers.push('Re-run');
    assert.equal(await previews.apply(), 'stale');
    assert.equal(vscode.stub.appliedEdits.length, 0);
    assert.ok(vscode.stub.messages.some((m) => m.level === 'warn' && m.text.includes('changed after Fixloop computed this fix') && m.buttons.includes('Re-run')));
    await settle();
    assert.equal(server.commandsCalled().filter((c) => c === 'fixloop.fix').length, 2, 're-run started');
    assert.equal((server.calls[1]?.argument as { version: number }).version, 4);
});

test('Discard forgets the fix, here and on the server, and applies nothing', async () => {
    server.responses.set('fixloop.fix', verifiedResult(3));
    await runner.fixDocument(document as never, undefined);
    await previews.discard();
    assert.equal(previews.current, undefined);
    assert.equal(vscode.stub.contexts.get(PREVIEW_CONTEXT), false);
    assert.equal(vscode.stub.appliedEdits.length, 0);
    assert.deepEqual(server.calls.find((c) => c.command === 'fixloop.discard')?.argument, { uri: URI, version: 3 });
    assert.equal(states.get(URI).state, 'idle');
});

test('no fix: a message with the reason and a link to the transcript', async () => {
    vscode.stub.answers.push('Show Transcript');
    server.responses.set('fixloop.fix', { ok: true, verified: false, reason: 'budget of 60 s used up', transcript: '/state/t.jsonl' });
    assert.equal(await runner.fixDocument(document as never, undefined), 'no-fix');
    const message = vscode.stub.messages.find((m) => m.level === 'warn');
    assert.match(message?.text ?? '', /no verified fix for stats\.py: budget of 60 s used up/);
    assert.deepEqual(message?.buttons, ['Show Transcript']);
    await settle();
    assert.deepEqual(transcripts, ['/state/t.jsonl']);
    assert.equal(states.get(URI).state, 'no-fix');
});

test('a stale result from the server is reported as stale, not as no fix, and says whether a fix was found', async () => {
    server.responses.set('fixloop.fix', { ok: false, code: 'stale', stale: true, fixFound: false, verified: false, reason: 'the document changed' });
    assert.equal(await runner.fixDocument(document as never, undefined), 'stale');
    assert.ok(vscode.stub.messages.some((m) => m.text.includes('changed while Fixloop was working, so the loop stopped before it found a fix')));
    assert.equal(states.get(URI).state, 'stale');
    server.responses.set('fixloop.fix', { ok: false, code: 'stale', stale: true, fixFound: true, verified: false, reason: 'the document changed' });
    assert.equal(await runner.fixDocument(document as never, undefined), 'stale');
    const dropped = vscode.stub.messages.at(-1);
    assert.match(dropped?.text ?? '', /so the fix it found \(for the old text\) was dropped/);
    assert.deepEqual(dropped?.buttons, ['Re-run']);
});

test('the document changing during the loop drops the result', async () => {
    server.responses.set('fixloop.fix', () => {
        document.version = 9;
        return verifiedResult(3);
    });
    assert.equal(await runner.fixDocument(document as never, undefined), 'stale');
    assert.equal(vscode.stub.executed.filter((c) => c.command === 'vscode.diff').length, 0);
});

test('a missing sandbox is a problem to fix, not "no fix"', async () => {
    server.responses.set('fixloop.fix', { ok: false, code: 'sandbox-unavailable', sandbox: 'bwrap', verified: false, reason: 'bwrap is not installed' });
    assert.equal(await runner.fixDocument(document as never, undefined), 'failed');
    assert.equal(failures.length, 1);
    assert.match(failures[0]?.message ?? '', /bubblewrap sandbox is not available/);
    assert.equal(states.get(URI).state, 'error');
});

test('Cancel in the notification calls fixloop.cancel for the document', async () => {
    vscode.stub.cancelProgressImmediately = true;
    server.responses.set('fixloop.fix', async () => {
        await settle();
        return { ok: false, verified: false, reason: 'cancelled by the user' };
    });
    server.responses.set('fixloop.cancel', { ok: true, cancelled: 1 });
    assert.equal(await runner.fixDocument(document as never, undefined), 'cancelled');
    const cancel = server.calls.find((c) => c.command === 'fixloop.cancel');
    assert.deepEqual(cancel?.argument, { uri: URI });
    assert.equal(states.get(URI).state, 'idle');
    assert.ok(vscode.stub.messages.some((m) => m.text === 'Fixloop: cancelled the loop on stats.py before it found a fix.'));
});

test('a quick-fix run offers the fix without opening a diff', async () => {
    server.responses.set('fixloop.fix', verifiedResult(3));
    assert.equal(await runner.run({ uri: URI, version: 3, range: { start: { line: 1, character: 4 }, end: { line: 1, character: 4 } } }, 'quickfix'), 'verified');
    assert.equal(vscode.stub.executed.filter((c) => c.command === 'vscode.diff').length, 0);
    assert.deepEqual(offerLinks(), ['Apply', 'Show Diff', 'Discard']);
});

test('the evidence names what proved the fix; an uncertain fix says so; no tests offers to write them', async () => {
    server.responses.set('fixloop.fix', () => ({ ...verifiedResult(3), evidence: 'runs without error (no tests)' }));
    await runner.fixDocument(document as never, new vscode.Range(0, 0, 1, 28) as never);
    const title = vscode.stub.executed.find((call) => call.command === 'vscode.diff')?.args[2] as string;
    assert.match(title, /stats\.py: verified fix \(runs without error \(no tests\)\)/);
    assert.ok(offerLinks().includes('Generate Tests'), 'a clean run alone offers to generate tests');

    vscode.stub.reset();
    vscode.workspace.textDocuments = [document];
    server.responses.set('fixloop.fix', () => ({
        ...verifiedResult(3),
        evidence: 'tests: 1 failing -> 3/3 pass',
        uncertain: true,
        disagreement: 'mean([1]): a gives = 1; b gives = 0',
    }));
    await runner.fixDocument(document as never, new vscode.Range(0, 0, 1, 28) as never);
    const uncertainTitle = vscode.stub.executed.find((call) => call.command === 'vscode.diff')?.args[2] as string;
    assert.match(uncertainTitle, /stats\.py: uncertain fix \(tests: 1 failing -> 3\/3 pass\)/);
    const offer = vscode.stub.progress.map((p) => p.messages[0] ?? '').find((m) => m.includes('uncertain fix'));
    assert.ok(offer?.includes('disagree on mean([1])'), offer);
    assert.ok(!offer?.includes('Generate Tests'), 'tests proved it: nothing to offer');
});
