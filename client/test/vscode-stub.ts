/**
 * A small stand-in for the `vscode` module, enough for the client's unit tests: it records
 * messages, executed commands, applied edits and context keys, and lets a test script the user's
 * answers (message buttons, input boxes) and the documents that are open. The unit-test bundle
 * resolves `vscode` to this file; tests import it directly as `./vscode-stub` to drive it.
 */
/* eslint-disable @typescript-eslint/no-explicit-any */

export class Disposable {
    constructor(private readonly onDispose: () => void = () => undefined) {}
    static from(...items: Array<{ dispose(): unknown }>): Disposable {
        return new Disposable(() => items.forEach((item) => item.dispose()));
    }
    dispose(): void {
        this.onDispose();
    }
}

export class EventEmitter<T> {
    private listeners: Array<(value: T) => void> = [];
    readonly event = (listener: (value: T) => void): Disposable => {
        this.listeners.push(listener);
        return new Disposable(() => (this.listeners = this.listeners.filter((l) => l !== listener)));
    };
    fire(value: T): void {
        this.listeners.forEach((listener) => listener(value));
    }
    dispose(): void {
        this.listeners = [];
    }
}

export class Uri {
    private constructor(
        readonly scheme: string,
        readonly authority: string,
        readonly path: string,
        readonly query: string,
        readonly fragment: string,
    ) {}
    static file(fsPath: string): Uri {
        return new Uri('file', '', fsPath, '', '');
    }
    static parse(value: string): Uri {
        const match = /^([a-z][\w+.-]*):(?:\/\/([^/?#]*))?([^?#]*)(?:\?([^#]*))?(?:#(.*))?$/i.exec(value);
        if (!match) {
            throw new Error(`bad uri ${value}`);
        }
        return new Uri(match[1] ?? '', match[2] ?? '', decodeURIComponent(match[3] ?? ''), match[4] ?? '', match[5] ?? '');
    }
    static from(parts: { scheme: string; authority?: string; path?: string; query?: string; fragment?: string }): Uri {
        return new Uri(parts.scheme, parts.authority ?? '', parts.path ?? '', parts.query ?? '', parts.fragment ?? '');
    }
    get fsPath(): string {
        return this.path;
    }
    with(change: { scheme?: string; authority?: string; path?: string; query?: string; fragment?: string }): Uri {
        return new Uri(change.scheme ?? this.scheme, change.authority ?? this.authority, change.path ?? this.path, change.query ?? this.query, change.fragment ?? this.fragment);
    }
    toString(): string {
        const authority = this.scheme === 'file' || this.authority ? `//${this.authority}` : '';
        return `${this.scheme}:${authority}${encodeURI(this.path)}${this.query ? `?${this.query}` : ''}${this.fragment ? `#${this.fragment}` : ''}`;
    }
}

export class Position {
    constructor(
        readonly line: number,
        readonly character: number,
    ) {}
}

export class Range {
    readonly start: Position;
    readonly end: Position;
    constructor(startLine: number | Position, startCharacter: number | Position, endLine?: number, endCharacter?: number) {
        if (startLine instanceof Position && startCharacter instanceof Position) {
            this.start = startLine;
            this.end = startCharacter;
        } else {
            this.start = new Position(startLine as number, startCharacter as number);
            this.end = new Position(endLine ?? 0, endCharacter ?? 0);
        }
    }
    get isEmpty(): boolean {
        return this.start.line === this.end.line && this.start.character === this.end.character;
    }
}

export class Selection extends Range {}

export class CancellationTokenSource {
    private emitter = new EventEmitter<void>();
    private cancelled = false;
    readonly token: { readonly isCancellationRequested: boolean; onCancellationRequested: (listener: () => void) => Disposable };
    constructor() {
        const isCancelled = () => this.cancelled;
        this.token = {
            get isCancellationRequested(): boolean {
                return isCancelled();
            },
            onCancellationRequested: this.emitter.event,
        };
    }
    cancel(): void {
        if (!this.cancelled) {
            this.cancelled = true;
            this.emitter.fire();
        }
    }
    dispose(): void {
        this.emitter.dispose();
    }
}

export enum ProgressLocation {
    SourceControl = 1,
    Window = 10,
    Notification = 15,
}

export enum StatusBarAlignment {
    Left = 1,
    Right = 2,
}

export enum ViewColumn {
    Active = -1,
    Beside = -2,
    One = 1,
}

export class ThemeColor {
    constructor(readonly id: string) {}
}

export class TabInputTextDiff {
    constructor(
        readonly original: Uri,
        readonly modified: Uri,
    ) {}
}

export class WorkspaceEdit {
    readonly operations: Array<{ kind: string; uri: Uri; text?: string }> = [];
    createFile(uri: Uri): void {
        this.operations.push({ kind: 'create', uri });
    }
    insert(uri: Uri, _position: Position, text: string): void {
        this.operations.push({ kind: 'insert', uri, text });
    }
}

export interface FakeDocument {
    uri: Uri;
    version: number;
    languageId: string;
    getText(): string;
    readonly lineCount: number;
    lineAt(line: number): { text: string };
}

export function fakeDocument(path: string, text: string, version = 1): FakeDocument {
    const document: FakeDocument = {
        uri: Uri.file(path),
        version,
        languageId: 'python',
        getText: () => text,
        get lineCount() {
            return document.getText().split('\n').length;
        },
        lineAt: (line: number) => ({ text: document.getText().split('\n')[line] ?? '' }),
    };
    return document;
}

/** Everything the tests observe and script. */
export const stub = {
    messages: [] as Array<{ level: 'info' | 'warn' | 'error'; text: string; buttons: string[] }>,
    answers: [] as Array<string | undefined>,
    inputAnswers: [] as Array<string | undefined>,
    inputOptions: [] as any[],
    executed: [] as Array<{ command: string; args: any[] }>,
    registered: new Map<string, (...args: any[]) => any>(),
    contexts: new Map<string, unknown>(),
    appliedEdits: [] as unknown[],
    applyEditResult: true,
    providers: new Map<string, { provideTextDocumentContent(uri: Uri): string }>(),
    progress: [] as Array<{ title?: string; messages: string[]; cancel: () => void; done: boolean }>,
    cancelProgressImmediately: false,
    statusBarMessages: [] as string[],
    closedTabs: [] as unknown[],
    configuration: new Map<string, unknown>(),
    openedDocuments: [] as unknown[],
    shownOptions: [] as unknown[],
    statusItems: [] as Array<{ text: string; tooltip: string; backgroundColor: ThemeColor | undefined }>,
    panels: [] as Array<{ title: string; revealed: number; webview: { html: string }; receive(message: unknown): void }>,
    reset(): void {
        this.messages = [];
        this.answers = [];
        this.inputAnswers = [];
        this.inputOptions = [];
        this.executed = [];
        this.registered.clear();
        this.contexts.clear();
        this.appliedEdits = [];
        this.applyEditResult = true;
        this.providers.clear();
        this.progress = [];
        this.cancelProgressImmediately = false;
        this.statusBarMessages = [];
        this.closedTabs = [];
        this.configuration.clear();
        this.openedDocuments = [];
        this.shownOptions = [];
        this.statusItems = [];
        this.panels = [];
        window.activeTextEditor = undefined;
        workspace.textDocuments = [];
        window.tabGroups.all = [];
    },
};

function message(level: 'info' | 'warn' | 'error') {
    return (text: string, ...rest: any[]): Promise<string | undefined> => {
        const buttons = rest.filter((item) => typeof item === 'string');
        stub.messages.push({ level, text, buttons });
        return Promise.resolve(stub.answers.shift());
    };
}

const activeEditorChanged = new EventEmitter<unknown>();
const documentChanged = new EventEmitter<{ document: FakeDocument; contentChanges: unknown[] }>();

/** Make `document` the active editor's, as VS Code does when the user switches tabs. */
export function activate(document: FakeDocument | undefined): void {
    window.activeTextEditor = document ? { document, selection: new Selection(0, 0, 0, 0) } : undefined;
    activeEditorChanged.fire(window.activeTextEditor);
}

/** Change a document's text as an edit would: a new version, then the change event. */
export function editDocument(document: FakeDocument, text: string): void {
    document.version += 1;
    document.getText = () => text;
    documentChanged.fire({ document, contentChanges: [{ text }] });
}

export const window = {
    activeTextEditor: undefined as undefined | { document: FakeDocument; selection: Selection },
    showInformationMessage: message('info'),
    showWarningMessage: message('warn'),
    showErrorMessage: message('error'),
    showInputBox(options: any): Promise<string | undefined> {
        stub.inputOptions.push(options);
        return Promise.resolve(stub.inputAnswers.shift());
    },
    async withProgress<T>(options: { title?: string }, task: (progress: { report(v: { message?: string }): void }, token: any) => Promise<T>): Promise<T> {
        const source = new CancellationTokenSource();
        const record = { title: options.title, messages: [] as string[], cancel: () => source.cancel(), done: false };
        stub.progress.push(record);
        const running = task({ report: (value) => value.message && record.messages.push(value.message) }, source.token);
        if (stub.cancelProgressImmediately) {
            setTimeout(() => source.cancel(), 0);
        }
        void running.finally(() => (record.done = true)).catch(() => undefined);
        return running;
    },
    createStatusBarItem() {
        const item = { text: '', tooltip: '', name: '', command: '', backgroundColor: undefined as ThemeColor | undefined, show() {}, hide() {}, dispose() {} };
        stub.statusItems.push(item);
        return item;
    },
    onDidChangeActiveTextEditor: activeEditorChanged.event,
    createWebviewPanel(viewType: string, title: string) {
        const received = new EventEmitter<unknown>();
        const panel = {
            viewType,
            title,
            revealed: 0,
            webview: { html: '', cspSource: 'vscode-resource:', onDidReceiveMessage: received.event, postMessage: () => Promise.resolve(true) },
            reveal() {
                panel.revealed++;
            },
            onDidDispose: new EventEmitter<void>().event,
            dispose() {},
            receive: (message: unknown) => received.fire(message),
        };
        stub.panels.push(panel);
        return panel;
    },
    /** An output channel; its levelled methods (a LogOutputChannel's) record `[level] message`. */
    createOutputChannel(name: string, _options?: { log: true }) {
        const lines: string[] = [];
        const levelled = (level: string) => (message: string) => lines.push(`[${level}] ${message}`);
        return {
            name,
            lines,
            logLevel: 3,
            onDidChangeLogLevel: new EventEmitter<number>().event,
            trace: levelled('trace'),
            debug: levelled('debug'),
            info: levelled('info'),
            warn: levelled('warn'),
            error: levelled('error'),
            append: (v: string) => lines.push(v),
            appendLine: (v: string) => lines.push(v),
            replace() {},
            clear() {},
            show() {},
            hide() {},
            dispose() {},
        };
    },
    setStatusBarMessage(text: string) {
        stub.statusBarMessages.push(text);
        return new Disposable();
    },
    showTextDocument(document: unknown, options?: unknown) {
        stub.openedDocuments.push(document);
        stub.shownOptions.push(options);
        return Promise.resolve({});
    },
    tabGroups: {
        all: [] as Array<{ tabs: Array<{ input: unknown }> }>,
        close(tabs: unknown) {
            stub.closedTabs.push(tabs);
            return Promise.resolve(true);
        },
    },
};

export const workspace = {
    textDocuments: [] as FakeDocument[],
    workspaceFolders: undefined as undefined | Array<{ uri: Uri }>,
    registerTextDocumentContentProvider(scheme: string, provider: { provideTextDocumentContent(uri: Uri): string }) {
        stub.providers.set(scheme, provider);
        return new Disposable(() => stub.providers.delete(scheme));
    },
    applyEdit(edit: unknown): Promise<boolean> {
        stub.appliedEdits.push(edit);
        return Promise.resolve(stub.applyEditResult);
    },
    getConfiguration(section?: string) {
        return { get: <T>(key: string) => stub.configuration.get(section ? `${section}.${key}` : key) as T | undefined };
    },
    getWorkspaceFolder() {
        return undefined;
    },
    openTextDocument(arg: unknown): Promise<unknown> {
        const found = workspace.textDocuments.find((doc: FakeDocument) => arg instanceof Uri && doc.uri.toString() === arg.toString());
        return Promise.resolve(found ?? { uri: arg, version: 1, languageId: 'markdown', getText: (): string => '', content: arg });
    },
    onDidChangeConfiguration: new EventEmitter<unknown>().event,
    onDidChangeTextDocument: documentChanged.event,
    onDidCloseTextDocument: new EventEmitter<unknown>().event,
};

export const commands = {
    registerCommand(id: string, handler: (...args: any[]) => any) {
        if (stub.registered.has(id)) {
            throw new Error(`command ${id} registered twice`);
        }
        stub.registered.set(id, handler);
        return new Disposable(() => stub.registered.delete(id));
    },
    executeCommand(command: string, ...args: unknown[]): Promise<unknown> {
        stub.executed.push({ command, args });
        if (command === 'setContext') {
            stub.contexts.set(String(args[0]), args[1]);
        }
        const handler = stub.registered.get(command);
        return Promise.resolve(handler ? (handler(...args) as unknown) : undefined);
    },
};

export const extensions = {
    getExtension(): undefined {
        return undefined;
    },
};
