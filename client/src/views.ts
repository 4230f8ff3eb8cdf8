/**
 * Read-only views of server results: the raw loop transcript (a JSON-lines file the server keeps
 * in its state directory, never in the workspace), the outcome of "Solve Task in Sandbox…" (the
 * script and the files it produced) and generated tests. Results are rendered to Markdown in a
 * read-only document, which the user can read, copy or close without a prompt to save.
 */
import { promises as fs } from 'node:fs';
import * as vscode from 'vscode';
import type { ServerGateway } from './fixRunner';
import { ServerCommand } from './protocol';

type Json = Record<string, unknown>;

function field(record: Json, ...names: string[]): unknown {
    for (const name of names) {
        if (record[name] !== undefined && record[name] !== null) {
            return record[name];
        }
    }
    return undefined;
}

function text(value: unknown): string | undefined {
    return typeof value === 'string' && value ? value : undefined;
}

async function isFile(candidate: string): Promise<boolean> {
    try {
        return (await fs.stat(candidate)).isFile();
    } catch {
        return false;
    }
}

/**
 * Read-only documents for results: served by a content provider (scheme fixloop-view), so they
 * are never dirty and close without a prompt to save. Each gets a fresh URI.
 */
export class ReadOnlyDocuments implements vscode.TextDocumentContentProvider {
    static readonly scheme = 'fixloop-view';
    private readonly contents = new Map<string, string>();
    private next = 1;

    register(): vscode.Disposable {
        return vscode.workspace.registerTextDocumentContentProvider(ReadOnlyDocuments.scheme, this);
    }

    provideTextDocumentContent(uri: vscode.Uri): string {
        return this.contents.get(uri.toString()) ?? '';
    }

    /** Open `content` as `name` (its extension picks the language, e.g. "Task result.md"). */
    async open(name: string, content: string): Promise<vscode.TextDocument> {
        const uri = vscode.Uri.from({ scheme: ReadOnlyDocuments.scheme, path: `/${name}`, query: `n=${this.next++}` });
        this.contents.set(uri.toString(), content);
        const document = await vscode.workspace.openTextDocument(uri);
        await vscode.window.showTextDocument(document, { preview: true });
        return document;
    }
}

/** Open a transcript given its path, or ask the server for the last one (for `uri`, if given). */
export async function showTranscriptFile(server: ServerGateway, transcript?: string | null, uri?: string): Promise<boolean> {
    let location = text(transcript);
    if (!location) {
        const result = await server.execute<unknown>(ServerCommand.transcript, uri ? { uri } : {});
        if (result && typeof result === 'object') {
            location = text(field(result as Json, 'path'));
        }
    }
    if (location && (await isFile(location))) {
        const document = await vscode.workspace.openTextDocument(vscode.Uri.file(location));
        await vscode.window.showTextDocument(document, { preview: true });
        return true;
    }
    return false;
}

function fence(body: string, language = ''): string {
    const longest = Math.max(2, ...[...body.matchAll(/`+/g)].map((m) => m[0].length));
    const ticks = '`'.repeat(longest + 1);
    return `${ticks}${language}\n${body.replace(/\n$/, '')}\n${ticks}`;
}

/** Markdown for a task result: status, the script that ran, the files it produced, its output. */
export function renderTaskResult(task: string, result: unknown): string {
    const record: Json = result && typeof result === 'object' ? (result as Json) : { output: typeof result === 'string' ? result : '' };
    const lines = ['# Fixloop task', '', fence(task), ''];
    const verified = field(record, 'verified', 'ok', 'success');
    const summary = text(field(record, 'summary', 'reason', 'message', 'status'));
    lines.push(`**Result:** ${verified === true ? 'succeeded in the sandbox' : verified === false ? 'did not succeed' : 'finished'}${summary ? `: ${summary}` : ''}`, '');
    const script = text(field(record, 'script', 'code', 'source'));
    if (script) {
        lines.push('## Script', '', fence(script, text(field(record, 'language')) ?? 'python'), '');
    }
    const files = field(record, 'files', 'produced', 'outputs');
    if (Array.isArray(files) && files.length > 0) {
        lines.push('## Produced files', '');
        for (const file of files) {
            if (typeof file === 'string') {
                lines.push(`- \`${file}\``);
            } else if (file && typeof file === 'object') {
                const entry = file as Json;
                const name = text(field(entry, 'path', 'name')) ?? '(unnamed)';
                const size = typeof entry.size === 'number' ? ` (${entry.size} bytes)` : '';
                lines.push(`- \`${name}\`${size}`);
                const content = text(field(entry, 'content', 'text', 'preview'));
                if (content) {
                    lines.push('', fence(content), '');
                }
            }
        }
        lines.push('');
    }
    const output = text(field(record, 'stdout', 'output'));
    if (output) {
        lines.push('## Output', '', fence(output), '');
    }
    const errors = text(field(record, 'stderr', 'error'));
    if (errors) {
        lines.push('## Errors', '', fence(errors), '');
    }
    const transcript = text(field(record, 'transcript'));
    if (transcript) {
        lines.push(`Transcript: \`${transcript}\``, '');
    }
    return lines.join('\n');
}

/** Markdown for generated tests when the server returns their text rather than an edit. */
export function renderGeneratedTests(result: unknown): string | undefined {
    if (!result || typeof result !== 'object') {
        return typeof result === 'string' ? fence(result, 'python') : undefined;
    }
    const record = result as Json;
    const code = text(field(record, 'tests', 'content', 'text', 'code', 'source'));
    if (!code) {
        return undefined;
    }
    const where = text(field(record, 'path', 'file'));
    const summary = text(field(record, 'summary', 'reason', 'proof'));
    return ['# Generated tests', '', where ? `For \`${where}\`.` : '', summary ?? '', '', fence(code, 'python'), ''].join('\n');
}
