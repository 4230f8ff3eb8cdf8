/**
 * The fixloop language server process and its LanguageClient. Before starting, the chosen
 * interpreter is probed (exists, Python 3.10+, which optional packages it lacks) so a bad
 * interpreter gives a clear message instead of a connection error. The server runs the bundled
 * bootstrap (client/bootstrap.py), which puts the bundled server and its pure-Python deps on
 * sys.path. The API key reaches it only through its environment; changing the key or the
 * interpreter restarts it. A crashed server is restarted by the language client, paced and
 * stopped in a crash loop by `RestartPolicy`. Server-initiated progress is routed into the notification of the
 * loop that is running, so one notification shows a loop from start to end.
 */
import * as path from 'node:path';
import { randomUUID } from 'node:crypto';
import * as vscode from 'vscode';
import {
    CloseAction,
    ErrorAction,
    type ErrorHandler,
    ExecuteCommandRequest,
    LanguageClient,
    LanguageClientOptions,
    RevealOutputChannelOn,
    ServerOptions,
    State,
    WorkDoneProgress,
} from 'vscode-languageclient/node';
import { ServerSettings, SECTION } from './config';
import type { ExecuteOptions, ServerGateway } from './fixRunner';
import { ActiveInterpreterProvider, InterpreterChoice, probeInterpreter, resolveServerInterpreter, findExecutableOnPath } from './interpreter';
import type { Logger, Redactor } from './log';
import type { LspWorkspaceEdit } from './lspEdits';
import { interpreterProblem, missingPackagesProblem, neededOptionalModules, Problem } from './problems';
import { MAX_RESTARTS, RestartPolicy } from './restarts';
import { ApiKeyStore, serverEnvironment } from './secrets';

export interface ServerHost {
    readonly extensionPath: string;
    readonly outputChannel: vscode.LogOutputChannel;
    readonly log: Logger;
    readonly redactor: Redactor;
    readonly keys: ApiKeyStore;
    readonly python: () => ActiveInterpreterProvider | undefined;
    /** The `fixloop.serverPython` setting with variables expanded ('' when unset). */
    readonly serverPythonSetting: () => string;
    readonly settings: () => Promise<ServerSettings>;
    readonly reportProblem: (problem: Problem) => void;
    /** Middleware for server commands run by VS Code itself (code actions). */
    readonly interceptCommand: (command: string, args: unknown[], next: (command: string, args: unknown[]) => Promise<unknown>) => Promise<unknown>;
}

export class FixloopServer implements ServerGateway, vscode.Disposable {
    private client: LanguageClient | undefined;
    private lifecycle: Promise<unknown> = Promise.resolve();
    private chosen: InterpreterChoice | undefined;
    private readonly progressSinks: Array<(message: string) => void> = [];
    private readonly ownTokens = new Set<string>();
    /** Documents whose didOpen reached the server; a command on one must wait for it. */
    private readonly synced = new Set<string>();
    private readonly reportedMissing = new Set<string>();

    constructor(private readonly host: ServerHost) {}

    get interpreter(): InterpreterChoice | undefined {
        return this.chosen;
    }

    get running(): boolean {
        return this.client?.state === State.Running;
    }

    /**
     * The running client, starting it first if needed. Starts, stops and restarts run one at a
     * time (a key change during a restart must not dispose a client that is still starting).
     */
    ready(): Promise<LanguageClient | undefined> {
        const client = this.client;
        if (client && client.state === State.Running) {
            return Promise.resolve(client);
        }
        return this.serialized(() => this.ensureStarted());
    }

    restart(): Promise<boolean> {
        return this.serialized(async () => {
            await this.stopNow();
            return (await this.ensureStarted()) !== undefined;
        });
    }

    stop(): Promise<void> {
        return this.serialized(() => this.stopNow());
    }

    private serialized<T>(operation: () => Promise<T>): Promise<T> {
        const result = this.lifecycle.then(operation, operation);
        this.lifecycle = result.catch(() => undefined);
        return result;
    }

    private async ensureStarted(): Promise<LanguageClient | undefined> {
        const client = this.client;
        if (client && client.state !== State.Stopped) {
            try {
                await client.start(); // resolves at once when running; waits for a restart in flight
                return client;
            } catch (error) {
                this.host.log.warn(`the server client is unusable, starting a new one: ${String(error)}`);
                await this.stopNow();
            }
        }
        return this.start();
    }

    private async stopNow(): Promise<void> {
        const client = this.client;
        this.client = undefined;
        if (!client) {
            return;
        }
        try {
            if (client.state === State.Starting) {
                await client.start().catch(() => undefined);
            }
            await client.dispose(3000);
        } catch (error) {
            this.host.log.warn(`server did not stop cleanly: ${String(error)}`);
        }
    }

    async execute<T>(command: string, argument: object, options: ExecuteOptions = {}): Promise<T> {
        const client = await this.ready();
        if (!client) {
            throw new Error('the Fixloop server is not running (see the "Fixloop" output)');
        }
        await this.documentSynced(argument);
        const sink = options.onProgress;
        const workDoneToken = sink ? randomUUID() : undefined;
        if (sink && workDoneToken) {
            this.progressSinks.push(sink);
            this.ownTokens.add(workDoneToken);
        }
        const subscription = workDoneToken && sink ? client.onProgress(WorkDoneProgress.type, workDoneToken, (value) => value.kind !== 'end' && value.message && sink(value.message)) : undefined;
        try {
            const result: unknown = await client.sendRequest(ExecuteCommandRequest.type, { command, arguments: [argument], workDoneToken }, options.token);
            return result as T;
        } finally {
            subscription?.dispose();
            if (workDoneToken) {
                this.ownTokens.delete(workDoneToken);
            }
            if (sink) {
                this.progressSinks.splice(this.progressSinks.indexOf(sink), 1);
            }
        }
    }

    /**
     * Right after a start, the language client sends didOpen for the already open documents
     * only after `start()` resolved, so a command sent at once could reach the server first.
     */
    private async documentSynced(argument: object): Promise<void> {
        const uri = (argument as { uri?: unknown }).uri;
        if (typeof uri !== 'string' || this.synced.has(uri)) {
            return;
        }
        const open = vscode.workspace.textDocuments.some((doc) => doc.uri.toString() === uri && doc.languageId === 'python');
        for (let waited = 0; open && !this.synced.has(uri) && waited < 5000; waited += 25) {
            await new Promise((resolve) => setTimeout(resolve, 25));
        }
    }

    /** Tell the server the settings changed; it pulls them with workspace/configuration or reads them from here. */
    async settingsChanged(): Promise<void> {
        // A change that lands while the server starts must not be lost: the start's own package
        // check and configuration pull may have read the settings before it.
        await this.lifecycle;
        const settings = await this.host.settings();
        if (this.running && this.client) {
            await this.client.sendNotification('workspace/didChangeConfiguration', { settings: { [SECTION]: settings } });
        }
        this.checkOptionalPackages(settings);
    }

    async toWorkspaceEdit(edit: LspWorkspaceEdit): Promise<vscode.WorkspaceEdit> {
        const client = await this.ready();
        if (!client) {
            throw new Error('the Fixloop server is not running');
        }
        const converted = await client.protocol2CodeConverter.asWorkspaceEdit(edit as never);
        if (!converted) {
            throw new Error('the server sent an empty edit');
        }
        return converted;
    }

    dispose(): void {
        void this.stop();
    }

    private async start(): Promise<LanguageClient | undefined> {
        const started = Date.now();
        const { log } = this.host;
        const choice = await resolveServerInterpreter(this.host.serverPythonSetting(), this.host.python(), (name) => findExecutableOnPath(name));
        if (!choice) {
            this.host.reportProblem(interpreterProblem('none', ''));
            return undefined;
        }
        this.chosen = choice;
        const settings = await this.host.settings();
        const probe = await probeInterpreter(choice.path, neededOptionalModules(settings));
        if (!probe.ok) {
            log.error(`server interpreter ${choice.path} (${choice.source}): ${probe.problem} ${probe.detail}`);
            this.host.reportProblem(interpreterProblem(probe.problem, choice.path, probe.detail));
            return undefined;
        }
        log.info(`starting the server with Python ${probe.version} at ${choice.path} (from ${choice.source})`);
        this.reportMissing(probe.missingModules, choice.path);

        const key = await this.host.keys.get();
        this.host.redactor.add(key);
        const bootstrap = path.join(this.host.extensionPath, 'client', 'bootstrap.py');
        const serverOptions: ServerOptions = {
            command: choice.path,
            args: [bootstrap],
            options: {
                env: serverEnvironment(process.env, key),
                cwd: vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? this.host.extensionPath,
            },
        };
        this.synced.clear();
        const restarts = new RestartPolicy({ stillWanted: () => this.client === client, onGiveUp: () => this.reportCrashLoop(), log });
        // languageclient's own handler counts the crashes and detects a loop; we pace its restarts.
        let crashCounter: ErrorHandler | undefined;
        const errorHandler: ErrorHandler = {
            error: (_error, _message, count) => ({ action: (count ?? 0) <= 3 ? ErrorAction.Continue : ErrorAction.Shutdown, handled: true }),
            closed: async () => {
                crashCounter ??= client.createDefaultErrorHandler(MAX_RESTARTS);
                const verdict = await crashCounter.closed();
                const restart = await restarts.afterClose({ restart: verdict.action === CloseAction.Restart, message: verdict.message });
                return { action: restart ? CloseAction.Restart : CloseAction.DoNotRestart, handled: true };
            },
        };
        const client = new LanguageClient('fixloop', 'Fixloop', serverOptions, this.clientOptions(settings, errorHandler));
        this.client = client;
        try {
            await client.start();
        } catch (error) {
            this.client = undefined;
            log.error(`the server failed to start: ${String(error)}`);
            this.host.reportProblem({
                message: 'The Fixloop server failed to start; the "Fixloop" output shows why.',
                actions: [{ title: 'Show Output', command: 'fixloop.showOutput' }],
            });
            return undefined;
        }
        log.info(`server ready in ${Date.now() - started} ms`);
        return client;
    }

    private clientOptions(settings: ServerSettings, errorHandler: ErrorHandler): LanguageClientOptions {
        return {
            documentSelector: [
                { scheme: 'file', language: 'python' },
                { scheme: 'untitled', language: 'python' },
            ],
            outputChannel: this.host.outputChannel,
            revealOutputChannelOn: RevealOutputChannelOn.Never,
            initializationOptions: settings,
            initializationFailedHandler: (error) => {
                this.host.log.error(`server initialization failed: ${String(error)}`);
                return false;
            },
            errorHandler,
            middleware: {
                didOpen: async (document, next) => {
                    await next(document);
                    this.synced.add(document.uri.toString());
                },
                didClose: async (document, next) => {
                    this.synced.delete(document.uri.toString());
                    await next(document);
                },
                executeCommand: (command, args, next) => this.host.interceptCommand(command, args, (c, a) => Promise.resolve(next(c, a) as unknown)),
                handleWorkDoneProgress: (token, params, next) => {
                    // Our own notification shows the loop; the status-bar spinner would repeat it.
                    const sink = this.progressSinks[this.progressSinks.length - 1];
                    if (!sink || (typeof token === 'string' && this.ownTokens.has(token))) {
                        next(token, params);
                        return;
                    }
                    if (params.kind !== 'end' && params.message) {
                        sink(params.message);
                    }
                },
                workspace: {
                    configuration: async (params, token, next) => {
                        const settingsNow = await this.host.settings();
                        const fallback: unknown = await next(params, token);
                        return params.items.map((item, index): unknown => (item.section === SECTION ? settingsNow : Array.isArray(fallback) ? (fallback[index] as unknown) : null));
                    },
                },
            },
        };
    }

    private reportCrashLoop(): void {
        this.host.reportProblem({
            message: 'The Fixloop server stopped repeatedly. The "Fixloop" output shows why.',
            actions: [
                { title: 'Restart Server', command: 'fixloop.restartServer' },
                { title: 'Show Output', command: 'fixloop.showOutput' },
            ],
        });
    }

    private checkOptionalPackages(settings: ServerSettings): void {
        const needed = neededOptionalModules(settings).filter((m) => !this.reportedMissing.has(m));
        if (needed.length === 0 || !this.chosen) {
            return;
        }
        const interpreter = this.chosen.path;
        void probeInterpreter(interpreter, needed).then((probe) => probe.ok && this.reportMissing(probe.missingModules, interpreter));
    }

    /** One message per missing set, not one per start. */
    private reportMissing(modules: readonly string[], interpreter: string): void {
        const fresh = modules.filter((m) => !this.reportedMissing.has(m));
        fresh.forEach((m) => this.reportedMissing.add(m));
        const problem = missingPackagesProblem(fresh, interpreter);
        if (problem) {
            this.host.log.warn(problem.message);
            this.host.reportProblem(problem);
        }
    }

    /** Forget reported packages, e.g. after installing them, so a still-missing one is reported again. */
    resetMissingReports(): void {
        this.reportedMissing.clear();
    }
}
