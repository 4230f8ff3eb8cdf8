/** Interpreter resolution (setting > Python extension > PATH) and the real probe of an interpreter. */
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync as makeTempDir, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { ActiveInterpreterProvider, findExecutableOnPath, probeInterpreter, resolveServerInterpreter, resolveUserCodeInterpreter } from '../src/interpreter';

function pythonExtension(active: string | undefined): ActiveInterpreterProvider {
    return { activeInterpreter: () => Promise.resolve(active), onDidChange: () => ({ dispose() {} }) };
}

const tempDirs: string[] = [];
function mkdtempSync(prefix: string): string {
    const dir = makeTempDir(prefix);
    tempDirs.push(dir);
    return dir;
}
after(() => tempDirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

const onPath = (found: Record<string, string>) => (name: string) => Promise.resolve(found[name]);

test('the setting wins over the Python extension and PATH', async () => {
    assert.deepEqual(await resolveServerInterpreter('/custom/python', pythonExtension('/venv/bin/python'), onPath({ python3: '/usr/bin/python3' })), { path: '/custom/python', source: 'setting' });
});

test('the Python extension wins over PATH; PATH is the last resort', async () => {
    assert.deepEqual(await resolveServerInterpreter('', pythonExtension('/venv/bin/python'), onPath({ python3: '/usr/bin/python3' })), { path: '/venv/bin/python', source: 'python-extension' });
    assert.deepEqual(await resolveServerInterpreter('', pythonExtension(undefined), onPath({ python3: '/usr/bin/python3' })), { path: '/usr/bin/python3', source: 'path' });
    assert.deepEqual(await resolveServerInterpreter('', undefined, onPath({ python: '/usr/bin/python' })), { path: '/usr/bin/python', source: 'path' });
    assert.equal(await resolveServerInterpreter('', undefined, onPath({})), undefined);
});

test('a failing Python extension API does not stop the resolution', async () => {
    const broken: ActiveInterpreterProvider = { activeInterpreter: () => Promise.reject(new Error('boom')), onDidChange: () => ({ dispose() {} }) };
    assert.deepEqual(await resolveServerInterpreter('', broken, onPath({ python3: '/usr/bin/python3' })), { path: '/usr/bin/python3', source: 'path' });
});

test('user code follows the setting, else the Python extension, else the server decides', async () => {
    assert.equal(await resolveUserCodeInterpreter('/mine', pythonExtension('/venv/bin/python')), '/mine');
    assert.equal(await resolveUserCodeInterpreter('', pythonExtension('/venv/bin/python')), '/venv/bin/python');
    assert.equal(await resolveUserCodeInterpreter('', undefined), '');
});

test('findExecutableOnPath finds executable files only', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fixloop-path-'));
    writeFileSync(join(dir, 'notexec'), '');
    writeFileSync(join(dir, 'tool'), '#!/bin/sh\n');
    chmodSync(join(dir, 'tool'), 0o755);
    assert.equal(await findExecutableOnPath('tool', `/nonexistent:${dir}`), join(dir, 'tool'));
    assert.equal(await findExecutableOnPath('notexec', dir), undefined);
    assert.equal(await findExecutableOnPath('tool', ''), undefined);
});

test('probe: a real interpreter reports its version and missing modules', async () => {
    const python = (await findExecutableOnPath('python3')) ?? 'python3';
    const result = await probeInterpreter(python, ['json', 'no_such_module_fixloop']);
    assert.equal(result.ok, true);
    if (result.ok) {
        assert.match(result.version, /^3\.\d+\.\d+$/);
        assert.deepEqual(result.missingModules, ['no_such_module_fixloop']);
    }
});

test('probe: a missing, an old and a broken interpreter are told apart', async () => {
    assert.deepEqual(await probeInterpreter('/nonexistent/python3', []), { ok: false, problem: 'not-found', detail: '/nonexistent/python3: ENOENT' });
    const dir = mkdtempSync(join(tmpdir(), 'fixloop-py-'));
    const old = join(dir, 'python-old');
    writeFileSync(old, '#!/bin/sh\necho \'{"version": [3, 8, 10], "missing": []}\'\n');
    chmodSync(old, 0o755);
    assert.deepEqual(await probeInterpreter(old, []), { ok: false, problem: 'too-old', detail: '3.8.10' });
    const broken = join(dir, 'python-broken');
    writeFileSync(broken, '#!/bin/sh\necho "error: cannot start" >&2\nexit 1\n');
    chmodSync(broken, 0o755);
    const result = await probeInterpreter(broken, []);
    assert.equal(result.ok, false);
    assert.equal(!result.ok && result.problem, 'broken');
});
