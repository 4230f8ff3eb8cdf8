/** The transcript view (page and clicks), and fixing the code under a test from the Testing view. */
import assert from 'node:assert/strict';
import { beforeEach, test } from 'node:test';
import type { Problem } from '../src/problems';
import type { FixArguments, TranscriptResult, TranscriptView } from '../src/protocol';
import { TestFixes } from '../src/testing';
import { escapeHtml, relativeTime, renderTranscriptHtml, showTranscript, TranscriptPanel } from '../src/transcriptView';
import { ReadOnlyDocuments } from '../src/views';
import { capturingLogger, RecordingServer } from './helpers';
import * as vscode from './vscode-stub';

const VIEW: TranscriptView = {
    path: '/state/transcripts/1.jsonl',
    uri: 'file:///ws/stats.py',
    file: 'stats.py',
    oracle: 'pytest test_stats.py',
    engines: ['offline'],
    sandbox: 'local',
    budget: 60,
    verified: true,
    proof: '1 failing -> 5/5 tests pass',
    outcome: 'verified: operator + -> - (line 17)',
    failing_before: ['test_stats.py::test_median_even'],
    attempts: [
        { index: 1, seconds: 0.42, engine: 'offline', summary: 'constant -> 0 (line 17)', verdict: 'fails', reason: '1 failing', lines: [17, 17], diff: '', text: '    return "</td><script>alert(1)</script>"\n', failing: ['test_stats.py::test_median_even'], ms: 13 },
        { index: 2, seconds: 2.9, engine: 'offline', summary: 'operator + -> - (line 17)', verdict: 'verified', reason: 'verified: 5/5 tests pass', lines: [17, 18], diff: '--- a/stats.py\n+++ b/stats.py\n@@ -17 +17 @@\n-    a + b\n+    a - b\n', text: '', failing: [], ms: 20 },
    ],
    events: [{ seconds: 0.2, kind: 'baseline_fresh', text: 'reproduced: 1 failing' }],
};

beforeEach(() => vscode.stub.reset());

test('the page shows the facts, each attempt with its time, lines, verdict and diff, all escaped', () => {
    const html = renderTranscriptHtml(VIEW, 'NONCE');
    assert.match(html, /Content-Security-Policy" content="default-src 'none'; style-src 'nonce-NONCE'; script-src 'nonce-NONCE';"/);
    for (const fact of ['<dt>Engine</dt><dd>offline</dd>', '<dt>Budget</dt><dd>60 s</dd>', '<dt>Proof</dt><dd>1 failing -&gt; 5/5 tests pass</dd>', 'pytest test_stats.py']) {
        assert.ok(html.includes(fact), fact);
    }
    assert.match(html, /<dt>Sandbox<\/dt><dd class="local"[^>]*>local<\/dd>/);
    assert.match(html, /<td class="time">\+420 ms<\/td>/);
    assert.match(html, /<td class="time">\+2\.9 s<\/td>/);
    assert.match(html, /data-line="17" data-end="18"[^>]*>17-18<\/a>/);
    assert.match(html, /<span class="badge verified">verified<\/span>/);
    assert.match(html, /failed: test_stats\.py::test_median_even/);
    assert.match(html, /<span class="del">- {4}a \+ b<\/span>\n<span class="add">\+ {4}a - b<\/span>/);
    assert.ok(!html.includes('<script>alert(1)'), 'candidate code is text, never markup');
    assert.ok(html.includes(escapeHtml('"</td><script>alert(1)</script>"')));
    assert.equal((html.match(/<script/g) ?? []).length, 1, 'only the page\'s own script');
    assert.equal(relativeTime(61.04), '+61.0 s');
});

test('the panel reveals an attempt\'s lines and opens the raw JSON lines', async () => {
    const document = vscode.fakeDocument('/ws/stats.py', 'a\n'.repeat(20), 4);
    vscode.workspace.textDocuments = [document];
    const panel = new TranscriptPanel(capturingLogger().log);
    const result: TranscriptResult = { ok: true, path: VIEW.path, uri: VIEW.uri, view: VIEW, truncated: false };
    panel.show(result);
    const page = vscode.stub.panels[0];
    assert.equal(page?.title, 'Fixloop transcript: stats.py');
    assert.match(page?.webview.html ?? '', /operator \+ -&gt; - \(line 17\)/);
    await panel.receive({ type: 'reveal', line: 17, end: 18 });
    assert.equal(vscode.stub.openedDocuments.at(-1), document);
    const selection = (vscode.stub.shownOptions.at(-1) as { selection: vscode.Range }).selection;
    assert.deepEqual([selection.start.line, selection.end.line], [16, 17]);
    await panel.receive({ type: 'raw' });
    assert.equal((vscode.stub.openedDocuments.at(-1) as { uri: vscode.Uri }).uri.fsPath, VIEW.path);
    panel.show(result);
    assert.equal(vscode.stub.panels.length, 1, 'one panel, shown again');
});

test('Show Transcript asks the server for the document and says when there is none', async () => {
    const server = new RecordingServer();
    const problems: Problem[] = [];
    const shown: TranscriptResult[] = [];
    server.responses.set('fixloop.transcript', { ok: false, code: 'no-transcript', reason: 'no transcript yet: run a fix first' });
    await showTranscript(server, { show: (r) => shown.push(r) }, (p) => problems.push(p), 'file:///ws/stats.py');
    assert.deepEqual(server.calls[0]?.argument, { uri: 'file:///ws/stats.py' });
    assert.match(vscode.stub.messages.at(-1)?.text ?? '', /no transcript yet/);
    server.responses.set('fixloop.transcript', { ok: true, path: VIEW.path, uri: VIEW.uri, view: VIEW, truncated: false });
    await showTranscript(server, { show: (r) => shown.push(r) }, (p) => problems.push(p));
    assert.equal(shown[0]?.view.file, 'stats.py');
    assert.equal(problems.length, 0);
});

test('Fix with Fixloop on a test item fixes the module under it, with the test as the oracle', async () => {
    const server = new RecordingServer();
    const module = vscode.fakeDocument('/ws/stats.py', 'x', 7);
    vscode.workspace.textDocuments = [module];
    server.responses.set('fixloop.testTarget', { ok: true, testUri: 'file:///ws/test_stats.py', test: 'test_stats.py::test_mean', module: 'file:///ws/stats.py' });
    const runs: Array<[FixArguments, string]> = [];
    const problems: Problem[] = [];
    const fixes = new TestFixes(server, { run: (args, mode) => (runs.push([args, mode]), Promise.resolve('verified')) }, (p) => problems.push(p), capturingLogger().log);
    const item = { id: '/abs/ws/test_stats.py::test_mean', uri: vscode.Uri.file('/ws/test_stats.py'), range: new vscode.Range(3, 0, 4, 0) };
    assert.equal(await fixes.fromTestItem(item), 'verified');
    assert.deepEqual(server.calls[0]?.argument, { uri: 'file:///ws/test_stats.py', test: '/abs/ws/test_stats.py::test_mean', line: 4 });
    assert.deepEqual(runs, [[{ uri: 'file:///ws/stats.py', version: 7, tests: ['test_stats.py::test_mean'] }, 'preview']]);
    server.responses.set('fixloop.testTarget', { ok: false, code: 'bad-request', reason: 'cannot tell which module test_x tests' });
    assert.equal(await fixes.fromArguments({ uri: 'file:///ws/test_x.py' }), undefined);
    assert.match(problems[0]?.message ?? '', /cannot tell which module/);
    assert.equal(await fixes.fromTestItem({ id: 'no-file' }), undefined);
    assert.equal(runs.length, 1);
});

test('results open read-only: a virtual document that is never dirty', async () => {
    const documents = new ReadOnlyDocuments();
    documents.register();
    await documents.open('Fixloop task result.md', '# Fixloop task');
    const opened = vscode.stub.openedDocuments.at(-1) as { uri: vscode.Uri };
    assert.equal(opened.uri.scheme, 'fixloop-view');
    assert.equal(opened.uri.path, '/Fixloop task result.md');
    assert.equal(vscode.stub.providers.get('fixloop-view')?.provideTextDocumentContent(opened.uri), '# Fixloop task');
});
