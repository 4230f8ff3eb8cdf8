/** API key handling: secret storage only, server environment only, never in logs or settings. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { registerCommands } from '../src/commands';
import { redactingChannel } from '../src/log';
import { ApiKeyStore, API_KEY_ENV, API_KEY_SECRET, cleanApiKey, serverEnvironment, validateApiKeyInput } from '../src/secrets';
import { capturingLogger, MemorySecrets, RecordingServer, recordingDeps, settle } from './helpers';
import * as vscode from './vscode-stub';

const KEY = 'sk-test-0123456789abcdef';

function setup() {
    vscode.stub.reset();
    const secrets = new MemorySecrets();
    const keys = new ApiKeyStore(secrets);
    const output = vscode.window.createOutputChannel('Fixloop');
    const server = new RecordingServer();
    const { deps, lines } = recordingDeps(server, output, keys);
    const disposables = registerCommands(deps);
    return { secrets, keys, log: deps.log, lines, redactor: deps.redactor, output, server, disposables };
}

test('Set API Key stores the key in secret storage and fires a change (restart)', async () => {
    const { secrets, keys, lines, output } = setup();
    let changes = 0;
    keys.onDidChange(() => changes++);
    vscode.stub.inputAnswers.push(`  ${KEY}  `);
    const stored = await vscode.commands.executeCommand('fixloop.setApiKey');
    assert.equal(stored, true);
    assert.equal(secrets.values.get(API_KEY_SECRET), KEY);
    assert.equal(changes, 1);
    assert.equal((vscode.stub.inputOptions[0] as { password?: boolean }).password, true);
    const everything = JSON.stringify([lines, output.lines, vscode.stub.messages, [...vscode.stub.configuration]]);
    assert.ok(!everything.includes(KEY), 'the key is in no log, message or setting');
    assert.ok(lines.some((line) => line.includes('API key stored')));
});

test('cancelling the input box stores nothing', async () => {
    const { secrets, keys } = setup();
    let changes = 0;
    keys.onDidChange(() => changes++);
    vscode.stub.inputAnswers.push(undefined);
    assert.equal(await vscode.commands.executeCommand('fixloop.setApiKey'), false);
    assert.equal(secrets.values.size, 0);
    assert.equal(changes, 0);
});

test('Clear API Key removes it and fires a change only when there was one', async () => {
    const { secrets, keys } = setup();
    let changes = 0;
    keys.onDidChange(() => changes++);
    assert.equal(await vscode.commands.executeCommand('fixloop.clearApiKey'), false);
    assert.equal(changes, 0);
    secrets.values.set(API_KEY_SECRET, KEY);
    assert.equal(await vscode.commands.executeCommand('fixloop.clearApiKey'), true);
    assert.equal(changes, 1);
    assert.equal(await keys.get(), undefined);
});

test('the key reaches the server only through its environment', () => {
    const base = { PATH: '/usr/bin', HOME: '/home/u' };
    const env = serverEnvironment(base, KEY);
    assert.equal(env[API_KEY_ENV], KEY);
    assert.equal(env.PATH, '/usr/bin');
    assert.equal((base as Record<string, string>)[API_KEY_ENV], undefined, 'the extension host environment is not modified');
    assert.equal(serverEnvironment(base, undefined)[API_KEY_ENV], undefined);
});

test('key input validation', () => {
    assert.equal(cleanApiKey('  abc-123 '), 'abc-123');
    assert.equal(cleanApiKey('two words'), undefined);
    assert.equal(cleanApiKey(''), undefined);
    assert.equal(validateApiKeyInput('with space'), 'An API key has no spaces or line breaks.');
    assert.equal(validateApiKeyInput('ok-key'), undefined);
});

test('logs and the output channel redact the key; levels filter', async () => {
    const { log, lines, redactor } = capturingLogger('info');
    redactor.add(KEY);
    log.info(`server said: Authorization: Bearer ${KEY}`);
    log.debug('hidden at info level');
    assert.equal(lines.length, 1);
    assert.ok(!lines[0]?.includes(KEY));
    assert.ok(lines[0]?.includes('***'));
    const inner = vscode.window.createOutputChannel('Fixloop');
    const channel = redactingChannel(inner, redactor);
    channel.appendLine(`OPENAI_API_KEY=${KEY}`);
    channel.append(KEY);
    await settle();
    assert.deepEqual(inner.lines, ['OPENAI_API_KEY=***', '***']);
});
