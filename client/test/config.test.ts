/** Settings mapping: package.json, the client's defaults and the server's dataclass agree one to one. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { CLIENT_SETTING_DEFAULTS, expandPath, readClientSettings, readServerSettings, SERVER_SETTING_DEFAULTS, SERVER_SETTING_KEYS } from '../src/config';

const root = join(__dirname, '..', '..');
interface Manifest {
    name: string;
    engines: { vscode: string };
    activationEvents: string[];
    contributes: {
        configuration: { properties: Record<string, { default: unknown; enum?: string[]; description?: string; type: string }> };
        commands: Array<{ command: string; title: string; category: string }>;
        menus: Record<string, Array<{ command: string; when?: string }>>;
    };
}
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as Manifest;
const properties = manifest.contributes.configuration.properties;
const settingsPy = readFileSync(join(root, 'server', 'fixloop', 'settings.py'), 'utf8');
// The default Docker image lives with the sandbox, which settings.py imports it from.
const imagesPy = readFileSync(join(root, 'server', 'fixloop', 'sandbox', 'images.py'), 'utf8');

function camel(snake: string): string {
    return snake.replace(/_([a-z])/g, (_m, ch: string) => ch.toUpperCase());
}

/** Field name -> default expression of the Settings dataclass. */
function serverFields(): Map<string, string> {
    const body = settingsPy.split('class Settings')[1]?.split('@classmethod')[0] ?? '';
    const fields = new Map<string, string>();
    for (const match of body.matchAll(/^ {4}(\w+): [^=]+= ([^#\n]+)/gm)) {
        fields.set(camel(match[1] ?? ''), (match[2] ?? '').trim());
    }
    return fields;
}

function pyTuple(name: string): string[] {
    const match = new RegExp(`^${name} = \\(([^)]*)\\)`, 'm').exec(settingsPy);
    return [...(match?.[1] ?? '').matchAll(/"([^"]+)"/g)].map((m) => m[1] ?? '');
}

test('package.json settings are the server settings plus the client-only ones', () => {
    const contributed = Object.keys(properties).map((key) => key.replace(/^fixloop\./, '')).sort();
    const expected = [...SERVER_SETTING_KEYS, ...Object.keys(CLIENT_SETTING_DEFAULTS)].sort();
    assert.deepEqual(contributed, expected);
    for (const key of contributed) {
        assert.ok(properties[`fixloop.${key}`]?.description, `fixloop.${key} has a description`);
    }
    assert.ok(!contributed.some((key) => /key|secret|token/i.test(key)), 'the API key is not a setting');
});

test('the server dataclass has exactly the server settings, with the same defaults', () => {
    const fields = serverFields();
    assert.deepEqual([...fields.keys()].sort(), [...SERVER_SETTING_KEYS].sort());
    for (const key of SERVER_SETTING_KEYS) {
        const clientDefault = SERVER_SETTING_DEFAULTS[key];
        assert.deepEqual(properties[`fixloop.${key}`]?.default, clientDefault, `package.json default of ${key}`);
        const python = fields.get(key) ?? '';
        const expected = python === 'DEFAULT_DOCKER_IMAGE' ? (/DEFAULT_DOCKER_IMAGE = "([^"]+)"/.exec(imagesPy)?.[1] ?? '') : (JSON.parse(python.replace(/^True$/, 'true').replace(/^False$/, 'false')) as unknown);
        assert.deepEqual(clientDefault, expected, `server default of ${key}`);
    }
    assert.deepEqual(properties['fixloop.engine']?.enum, pyTuple('ENGINES'));
    assert.deepEqual(properties['fixloop.sandbox']?.enum, pyTuple('SANDBOXES'));
});

test('server settings: wrong types fall back to defaults; python follows the active interpreter', () => {
    const values = new Map<string, unknown>([
        ['engine', 'offline'],
        ['timeout', 'ten'],
        ['maxTurns', 3],
        ['runOnSave', true],
    ]);
    const settings = readServerSettings({ get: <T>(key: string) => values.get(key) as T }, '/venv/bin/python');
    assert.equal(settings.engine, 'offline');
    assert.equal(settings.timeout, 10);
    assert.equal(settings.maxTurns, 3);
    assert.equal(settings.runOnSave, true);
    assert.equal(settings.python, '/venv/bin/python');
    values.set('python', '/opt/py/bin/python3');
    assert.equal(readServerSettings({ get: <T>(key: string) => values.get(key) as T }, '/venv/bin/python').python, '/opt/py/bin/python3');
});

test('client settings: unknown log levels fall back to info; paths expand', () => {
    assert.deepEqual(readClientSettings({ get: <T>(key: string) => ({ serverPython: ' /x/python ', logLevel: 'loud' })[key] as T }), { serverPython: '/x/python', logLevel: 'info' });
    assert.equal(readClientSettings({ get: <T>(key: string) => ({ logLevel: 'debug' })[key] as T }).logLevel, 'debug');
    assert.equal(expandPath('${workspaceFolder}/.venv/bin/python', '/ws', '/home/u'), '/ws/.venv/bin/python');
    assert.equal(expandPath('~/py/bin/python', undefined, '/home/u'), '/home/u/py/bin/python');
});

test('manifest: identity, engines, categories and context menu', () => {
    assert.equal(manifest.name, 'fixloop');
    assert.equal(manifest.engines.vscode, '^1.90.0');
    assert.ok(manifest.activationEvents.includes('onLanguage:python'));
    const titles = manifest.contributes.commands.filter((c) => c.category === 'Fixloop').map((c) => c.title);
    for (const title of ['Debug and Fix Selection', 'Fix File', 'Run File', 'Run Tests', 'Generate Tests for Selection', 'Solve Task in Sandbox…', 'Cancel', 'Show Transcript', 'Set API Key', 'Clear API Key', 'Restart Server']) {
        assert.ok(titles.includes(title), title);
    }
    const context = manifest.contributes.menus['editor/context'] ?? [];
    assert.deepEqual(context.map((m) => m.command).sort(), ['fixloop.debugSelection', 'fixloop.generateTestsForSelection']);
    for (const item of context) {
        assert.equal(item.when, 'editorHasSelection && editorLangId == python');
    }
    const languageClient = JSON.parse(readFileSync(join(root, 'node_modules', 'vscode-languageclient', 'package.json'), 'utf8')) as { version: string; engines: { vscode: string } };
    assert.match(languageClient.version, /^9\./);
    assert.equal(languageClient.engines.vscode, '^1.82.0', 'vscode-languageclient must accept VS Code 1.90');
});
