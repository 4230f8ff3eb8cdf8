/**
 * Plain-data helpers for the LSP values the server returns from `fixloop.fix`: pick the text
 * edits for one document out of a WorkspaceEdit and apply them to a string (positions are
 * UTF-16 code units, as in LSP and in JavaScript strings). The diff preview uses these to show
 * the fixed text before anything touches the real document.
 */

export interface LspPosition {
    line: number;
    character: number;
}

export interface LspRange {
    start: LspPosition;
    end: LspPosition;
}

export interface LspTextEdit {
    range: LspRange;
    newText: string;
}

export interface LspTextDocumentEdit {
    textDocument: { uri: string; version: number | null };
    edits: LspTextEdit[];
}

export interface LspWorkspaceEdit {
    changes?: Record<string, LspTextEdit[]>;
    documentChanges?: Array<LspTextDocumentEdit | { kind: string }>;
}

export interface DocumentEdits {
    edits: LspTextEdit[];
    version: number | null;
}

/** The edits that target `uri`, with the version they were computed on (null when unversioned). */
export function editsForDocument(edit: LspWorkspaceEdit | undefined | null, uri: string): DocumentEdits | undefined {
    if (!edit) {
        return undefined;
    }
    const same = (other: string) => other === uri || safeDecode(other) === safeDecode(uri);
    for (const change of edit.documentChanges ?? []) {
        if ('textDocument' in change && same(change.textDocument.uri)) {
            return { edits: change.edits, version: change.textDocument.version };
        }
    }
    for (const [target, edits] of Object.entries(edit.changes ?? {})) {
        if (same(target)) {
            return { edits, version: null };
        }
    }
    return undefined;
}

function safeDecode(uri: string): string {
    try {
        return decodeURIComponent(uri);
    } catch {
        return uri;
    }
}

/** Offsets of the start of every line; a line ends after "\n", "\r\n" or a lone "\r". */
function lineStarts(text: string): number[] {
    const starts = [0];
    for (let i = 0; i < text.length; i++) {
        const ch = text.charCodeAt(i);
        if (ch === 13 /* \r */) {
            if (text.charCodeAt(i + 1) === 10) {
                i++;
            }
            starts.push(i + 1);
        } else if (ch === 10) {
            starts.push(i + 1);
        }
    }
    return starts;
}

function offsetAt(text: string, starts: number[], position: LspPosition): number {
    if (position.line >= starts.length) {
        return text.length;
    }
    const lineStart = starts[position.line] ?? text.length;
    const next = position.line + 1 < starts.length ? (starts[position.line + 1] ?? text.length) : text.length;
    // The line's content ends before its line break; a character past the end clamps to it.
    let contentEnd = next;
    if (contentEnd > lineStart && text.charCodeAt(contentEnd - 1) === 10) {
        contentEnd--;
    }
    if (contentEnd > lineStart && text.charCodeAt(contentEnd - 1) === 13) {
        contentEnd--;
    }
    return Math.min(lineStart + Math.max(0, position.character), contentEnd);
}

/** Apply non-overlapping edits (in any order) to `text`. */
export function applyTextEdits(text: string, edits: readonly LspTextEdit[]): string {
    const starts = lineStarts(text);
    const spans = edits
        .map((edit, index) => ({
            start: offsetAt(text, starts, edit.range.start),
            end: offsetAt(text, starts, edit.range.end),
            newText: edit.newText,
            index,
        }))
        .sort((a, b) => a.start - b.start || a.end - b.end || a.index - b.index);
    let out = '';
    let cursor = 0;
    for (const span of spans) {
        if (span.start < cursor) {
            throw new Error('overlapping edits');
        }
        out += text.slice(cursor, span.start) + span.newText;
        cursor = Math.max(cursor, span.end);
    }
    return out + text.slice(cursor);
}

/** "ZeroDivisionError -> exit 0" from either the short string or the structured proof. */
export function proofText(proof: unknown): string {
    if (typeof proof === 'string') {
        return proof;
    }
    if (proof && typeof proof === 'object') {
        const value = proof as { short?: unknown; before?: { summary?: unknown }; after?: { summary?: unknown } };
        if (typeof value.short === 'string') {
            return value.short;
        }
        const before = value.before?.summary;
        const after = value.after?.summary;
        if (typeof before === 'string' && typeof after === 'string') {
            return `${before} -> ${after}`;
        }
    }
    return 'verified in the sandbox';
}
