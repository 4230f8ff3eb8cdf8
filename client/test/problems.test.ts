/** Failure messages: named problem and fix, an action where one helps, never a stack trace. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { interpreterProblem, lastMeaningfulLine, missingPackagesProblem, needsUserAction, neededOptionalModules, pipArguments, problemFor, problemForError } from '../src/problems';
import { errorCode } from '../src/protocol';
import { pythonExtensionProvider } from '../src/interpreter';
import { renderTaskResult, renderGeneratedTests } from '../src/views';

const TRACEBACK = ['Traceback (most recent call last):', '  File "/x/fixloop/sandbox/bwrap.py", line 40, in open', '    raise SandboxUnavailable(msg)', 'fixloop.sandbox.base.SandboxUnavailable: bwrap is not installed'].join('\n');

test('a bwrap failure names bubblewrap and how to get it, without the traceback', () => {
    const problem = problemFor({ ok: false, code: 'sandbox-unavailable', sandbox: 'bwrap', reason: TRACEBACK });
    assert.match(problem.message, /bubblewrap sandbox is not available: .*bwrap is not installed\. Install it/);
    assert.ok(!problem.message.includes('Traceback') && !problem.message.includes('File "'));
    assert.deepEqual(problem.actions.map((a) => a.title), ['Choose Sandbox']);
});

test('a Docker engine failure says to start Docker or pick another sandbox', () => {
    const problem = problemFor({ ok: false, code: 'sandbox-unavailable', sandbox: 'docker', reason: 'the docker sandbox is unavailable: cannot connect to the Docker engine at unix:///var/run/docker.sock' });
    assert.match(problem.message, /Docker sandbox is not available.*Start the Docker engine/);
});

test('a missing optional package offers to install it into the server interpreter', () => {
    const problem = problemFor({ ok: false, code: 'missing-package', module: 'openai', reason: "No module named 'openai'" }, '/venv/bin/python');
    assert.match(problem.message, /needs openai for the model engine, and \/venv\/bin\/python does not have it/);
    assert.deepEqual(problem.actions[0], { title: 'Install', command: 'fixloop.installOptionalPackages', args: [['openai']] });
    assert.match(problemFor({ ok: false, code: 'missing-package', module: 'autogen_ext', reason: "No module named 'autogen_ext.models'" }).message, /autogen-agentchat, autogen-ext, autogen-core/);
    assert.deepEqual(pipArguments(['docker']), ['-m', 'pip', 'install', '--disable-pip-version-check', 'docker>=7']);
});

test('the client switches on the error code, never on the text', () => {
    // The same words under another code are not a sandbox problem.
    const text = 'bwrap is not installed; cannot connect to the Docker engine';
    assert.equal(problemFor({ ok: false, code: 'internal', reason: text }).actions.length, 0);
    assert.equal(errorCode({ ok: false, status: 'error', exitCode: 1 }), undefined, 'a failing program is a result, not a failure');
    assert.equal(errorCode({ ok: false, code: 'made-up', reason: 'x' }), 'internal');
    assert.equal(errorCode({ ok: false, code: 'bad-request', reason: 'x' }), 'bad-request');
    assert.equal(errorCode({ ok: true }), undefined);
    assert.equal(errorCode({ ok: false, code: 'stale' }), 'stale');
    assert.ok(needsUserAction({ ok: false, code: 'no-model' }) && !needsUserAction({ ok: false, code: 'stale' }));
});

test('without a model the message says what is missing and offers the matching buttons', () => {
    const both = problemFor({ ok: false, code: 'no-model', missing: ['model', 'key'], reason: 'Solve Task needs a model: set a model name (the fixloop.model setting) and an API key ("Fixloop: Set API Key")' });
    assert.match(both.message, /a model name .* and an API key/);
    assert.deepEqual(both.actions, [
        { title: 'Set API Key', command: 'fixloop.setApiKey' },
        { title: 'Open Settings', command: 'workbench.action.openSettings', args: ['fixloop.model'] },
    ]);
    assert.deepEqual(problemFor({ ok: false, code: 'no-model', missing: ['key'], reason: 'x' }).actions.map((a) => a.title), ['Set API Key']);
    assert.deepEqual(problemFor({ ok: false, code: 'no-model', missing: ['model'], reason: 'x' }).actions.map((a) => a.title), ['Open Settings']);
    assert.deepEqual(problemFor({ ok: false, code: 'no-tests', reason: 'no pytest file imports this module' }).actions[0]?.args, ['fixloop.testCommand']);
});

test('settings decide which optional packages are needed', () => {
    assert.deepEqual(neededOptionalModules({ engine: 'offline', model: 'gpt', sandbox: 'bwrap' }), []);
    assert.deepEqual(neededOptionalModules({ engine: 'auto', model: '', sandbox: 'auto' }), []);
    assert.deepEqual(neededOptionalModules({ engine: 'auto', model: 'gpt-4o-mini', sandbox: 'docker' }), ['openai', 'autogen_agentchat', 'docker']);
    assert.equal(missingPackagesProblem([], '/py'), undefined);
});

test('interpreter problems name the interpreter and the setting', () => {
    assert.match(interpreterProblem('not-found', '/nope/python').message, /"\/nope\/python" does not exist.*fixloop\.serverPython/);
    assert.match(interpreterProblem('too-old', '/usr/bin/python3', '3.8.10').message, /needs Python 3\.10 or newer, but "\/usr\/bin\/python3" is Python 3\.8\.10/);
    assert.match(interpreterProblem('none', '').message, /no python3 on PATH/);
});

test('other failures become their last meaningful line', () => {
    assert.equal(problemFor({ ok: false, code: 'internal', reason: 'something odd happened' }).message, 'Fixloop: something odd happened.');
    assert.equal(problemForError(new Error('Traceback (most recent call last):\n  File "x"\nboom')).message, 'Fixloop: boom.');
    assert.equal(lastMeaningfulLine(''), 'unknown error.');
});

test('the Python extension adapter reads the typed API, and treats a missing or failing one as absent', async () => {
    const resolved = { executable: { uri: { fsPath: '/venv/bin/python' } } };
    const environments = {
        getActiveEnvironmentPath: () => ({ id: 'x', path: '/venv' }),
        resolveEnvironment: () => Promise.resolve(resolved),
        onDidChangeActiveEnvironmentPath: () => ({ dispose() {} }),
    };
    const modern = { ready: Promise.resolve(), environments };
    const provider = await pythonExtensionProvider(() => Promise.resolve(modern as never));
    assert.equal(await provider?.activeInterpreter(), '/venv/bin/python');
    // An environment that does not resolve falls back to the path the extension names.
    const unresolved = { ready: Promise.resolve(), environments: { ...environments, resolveEnvironment: () => Promise.resolve(undefined) } };
    assert.equal(await (await pythonExtensionProvider(() => Promise.resolve(unresolved as never)))?.activeInterpreter(), '/venv');
    const legacy = { ready: Promise.resolve(), settings: { getExecutionDetails: () => ({ execCommand: ['/old/python', '-X'] }) } };
    assert.equal(await pythonExtensionProvider(() => Promise.resolve(legacy as never)), undefined);
    // No Python extension: the real facade's loader fails (the stub has no extensions), so absent.
    assert.equal(await pythonExtensionProvider(), undefined);
    assert.equal(await pythonExtensionProvider(() => Promise.reject(new Error('no'))), undefined);
});

test('task results show the script, the produced files and the output', () => {
    const markdown = renderTaskResult('count words', { ok: true, script: 'print(len(open("a.txt").read().split()))', files: ['counts.csv', 'out/summary.txt'], output: '42\n', reason: null });
    assert.match(markdown, /\*\*Result:\*\* succeeded in the sandbox/);
    assert.match(markdown, /## Script\n\n```python\nprint\(len/);
    assert.match(markdown, /- `counts\.csv`\n- `out\/summary\.txt`/);
    assert.match(markdown, /## Output\n\n```\n42\n```/);
    const failed = renderTaskResult('x', { ok: false, reason: 'task mode needs a model' });
    assert.match(failed, /did not succeed: task mode needs a model/);
});

test('generated tests render when the server returns their text', () => {
    assert.match(renderGeneratedTests({ ok: true, path: 'test_stats.py', text: 'def test_x():\n    assert True\n' }) ?? '', /For `test_stats\.py`[\s\S]*```python\ndef test_x/);
    assert.equal(renderGeneratedTests({ ok: false, reason: 'needs a model' }), undefined);
});
