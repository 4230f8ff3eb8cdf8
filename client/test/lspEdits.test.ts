/** Applying the server's LSP edits to text, as the diff preview does. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyTextEdits, editsForDocument, proofText } from '../src/lspEdits';

const edit = (sl: number, sc: number, el: number, ec: number, newText: string) => ({ range: { start: { line: sl, character: sc }, end: { line: el, character: ec } }, newText });

test('replaces a range spanning lines and keeps CRLF line endings', () => {
    const text = 'def f(xs):\r\n    return sum(xs) / len(xs)\r\nprint(f([]))\r\n';
    const fixed = applyTextEdits(text, [edit(1, 4, 1, 28, 'return sum(xs) / len(xs) if xs else 0.0')]);
    assert.equal(fixed, 'def f(xs):\r\n    return sum(xs) / len(xs) if xs else 0.0\r\nprint(f([]))\r\n');
});

test('several edits in any order; insertion at the end of the document', () => {
    const text = 'a\nb\nc';
    assert.equal(applyTextEdits(text, [edit(2, 1, 2, 1, '!'), edit(0, 0, 0, 1, 'A')]), 'A\nb\nc!');
    assert.equal(applyTextEdits(text, [edit(5, 0, 5, 0, '\nd')]), 'a\nb\nc\nd');
});

test('positions count UTF-16 code units (emoji are two)', () => {
    const text = 'x = "😀" + y\n';
    // "x = "😀"" is 8 UTF-16 units; replace `y` at character 11.
    assert.equal(applyTextEdits(text, [edit(0, 11, 0, 12, 'z')]), 'x = "😀" + z\n');
});

test('a character past the end of a line clamps to the line end, not into the next line', () => {
    assert.equal(applyTextEdits('ab\ncd\n', [edit(0, 99, 0, 99, '!')]), 'ab!\ncd\n');
});

test('overlapping edits are refused', () => {
    assert.throws(() => applyTextEdits('abcdef', [edit(0, 0, 0, 3, 'x'), edit(0, 2, 0, 4, 'y')]), /overlapping/);
});

test('edits for a document come from documentChanges (versioned) or changes', () => {
    const uri = 'file:///ws/stats.py';
    const versioned = { documentChanges: [{ kind: 'create', uri: 'file:///other' }, { textDocument: { uri, version: 7 }, edits: [edit(0, 0, 0, 0, 'x')] }] };
    assert.deepEqual(editsForDocument(versioned, uri)?.version, 7);
    assert.equal(editsForDocument({ changes: { [uri]: [edit(0, 0, 0, 0, 'y')] } }, uri)?.edits[0]?.newText, 'y');
    assert.equal(editsForDocument({ changes: {} }, uri), undefined);
    assert.equal(editsForDocument({ changes: { 'file:///ws/st%61ts.py': [] } }, uri)?.version, null);
});

test('proof text from a string or from the structured proof', () => {
    assert.equal(proofText('ZeroDivisionError -> exit 0'), 'ZeroDivisionError -> exit 0');
    assert.equal(proofText({ before: { summary: '2 failing' }, after: { summary: '5/5 tests pass' } }), '2 failing -> 5/5 tests pass');
    assert.equal(proofText(null), 'verified in the sandbox');
});
