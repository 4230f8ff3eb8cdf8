/** Settings mapping: the client's settings are package.json's, and the optional pins pyproject's. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { CLIENT_SETTING_DEFAULTS, expandPath, readClientSettings, readServerSettings, SERVER_SETTING_DEFAULTS, SERVER_SETTING_KEYS } from '../src/config';
import { LOG_LEVELS } from '../src/log';
import { OPTIONAL_PACKAGES } from '../src/problems';

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

test('package.json settings are the server settings plus the client-only ones', () => {
    const contributed = Object.keys(properties).map((key) => key.replace(/^fixloop\./, '')).sort();
    const expected = [...SERVER_SETTING_KEYS, ...Object.keys(CLIENT_SETTING_DEFAULTS)].sort();
    assert.deepEqual(contributed, expected);
    for (const key of contributed) {
        assert.ok(properties[`fixloop.${key}`]?.description, `fixloop.${key} has a description`);
    }
    assert.ok(!contributed.some((key) => /key|secret|token/i.test(key)), 'the API key is not a setting');
});

// The server side of the schema (its generated dataclass, types, enums and bounds) is checked
// against package.json by tests/test_settings_schema.py; here the client's side.
test('the client takes every default from the manifest it is bundled with', () => {
    assert.ok(SERVER_SETTING_KEYS.includes('engine') && SERVER_SETTING_KEYS.includes('allowShell'));
    for (const key of SERVER_SETTING_KEYS) {
        const property = properties[`fixloop.${key}`];
        assert.deepEqual(SERVER_SETTING_DEFAULTS[key], property?.default, `default of ${key}`);
        assert.equal(typeof SERVER_SETTING_DEFAULTS[key], property?.type === 'integer' ? 'number' : property?.type, `type of ${key}`);
    }
    assert.equal(SERVER_SETTING_DEFAULTS.engine, 'auto');
    assert.equal(SERVER_SETTING_DEFAULTS.timeout, 10);
    assert.deepEqual(CLIENT_SETTING_DEFAULTS, { serverPython: '', logLevel: 'info' });
    assert.deepEqual(properties['fixloop.logLevel']?.enum, [...LOG_LEVELS]);
    // With nothing set, the server receives exactly the manifest's defaults.
    const all = readServerSettings({ get: () => undefined });
    assert.deepEqual(all, SERVER_SETTING_DEFAULTS);
});

test('optional-package pins are the generated pyproject pins', () => {
    const pins = JSON.parse(readFileSync(join(root, 'client', 'src', 'optionalPins.json'), 'utf8')) as Record<string, string>;
    const offered = Object.values(OPTIONAL_PACKAGES).flatMap((entry) => entry.pip);
    assert.deepEqual([...new Set(offered)].sort(), Object.values(pins).sort());
    assert.ok(offered.every((spec) => /^[a-z-]+(\[[a-z]+\])?[<>=]/.test(spec)), 'every offered package is pinned');
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
