/**
 * Entry point of the Fixloop extension: builds the pieces (output channel and logger, API key
 * store, per-document states and the status bar, diff previews, the transcript view, server,
 * repair flows, commands) and wires their events: settings changes update or restart the server
 * (and the sandbox the status bar names), the Python extension's active environment becomes the
 * interpreter for user code, and a changed API key restarts the server. Quick fixes the server
 * offers run through the same flows as the palette commands.
 */
import * as os from 'node:os';
import * as vscode from 'vscode';
import { ClientCommand, registerCommands } from './commands';
import { expandPath, needsRestart, readClientSettings, readServerSettings, SECTION } from './config';
import { FixPreviews } from './diffPreview';
import { FixRunner } from './fixRunner';
import { DocumentStates } from './fixState';
import { ActiveInterpreterProvider, pythonExtensionProvider, resolveUserCodeInterpreter } from './interpreter';
import { type Logger, Redactor, redactingChannel } from './log';
import { Problem, problemForError } from './problems';
import { isFailure, isFixArguments, isTestTargetArguments, SandboxInfo, ServerCommand } from './protocol';
import { ApiKeyStore } from './secrets';
import { FixloopServer } from './server';
import { StatusIndicator } from './status';
import { SweepView } from './sweepView';
import { TestFixes } from './testing';
import { showTranscript as showTranscriptOf, TranscriptPanel } from './transcriptView';
import { ReadOnlyDocuments } from './views';

let server: FixloopServer | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
    const activationStarted = Date.now();
    const redactor = new Redactor();
    const logFloor = () => readClientSettings(vscode.workspace.getConfiguration(SECTION)).logLevel;
    const output = redactingChannel(vscode.window.createOutputChannel('Fixloop', { log: true }), redactor, logFloor);
    const log: Logger = output;
    const keys = new ApiKeyStore(context.secrets);
    redactor.add(await keys.get());
    const states = new DocumentStates();
    const status = new StatusIndicator(states, ClientCommand.showTranscript);
    const readOnly = new ReadOnlyDocuments();
    const transcripts = new TranscriptPanel(log);
    let python: ActiveInterpreterProvider | undefined = undefined;

    const folder = () => vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    const settings = async () => {
        const config = vscode.workspace.getConfiguration(SECTION);
        const userPython = expandPath(config.get<string>('python') ?? '', folder(), os.homedir());
        const active = await resolveUserCodeInterpreter(userPython, python);
        const values = readServerSettings(config, active);
        return { ...values, python: values.python ? expandPath(values.python, folder(), os.homedir()) : values.python };
    };

    const reportProblem = (problem: Problem) => {
        const titles = problem.actions.map((action) => action.title);
        void vscode.window.showErrorMessage(problem.message, ...titles).then((choice) => {
            const action = problem.actions.find((a) => a.title === choice);
            if (action) {
                void vscode.commands.executeCommand(action.command, ...(action.args ?? []));
            }
        });
    };
    const reportFailure = (error: unknown) => {
        log.error(error instanceof Error ? error.message : String(error));
        reportProblem(problemForError(error));
    };

    // The server needs the flows for quick-fix commands, and the flows need the server.
    const flows: { runner?: FixRunner; tests?: TestFixes } = {};
    server = new FixloopServer({
        extensionPath: context.extensionPath,
        outputChannel: output,
        log,
        redactor,
        keys,
        python: () => python,
        serverPythonSetting: () => expandPath(readClientSettings(vscode.workspace.getConfiguration(SECTION)).serverPython, folder(), os.homedir()),
        settings,
        reportProblem,
        interceptCommand: async (command, args, next) => {
            // Quick fixes: the same progress, state and result handling as the palette commands;
            // "Debug and fix" only offers the fix (the menu then carries "Apply verified fix").
            if (command === ServerCommand.fix && flows.runner && isFixArguments(args[0])) {
                return flows.runner.run(args[0], 'quickfix');
            }
            if (command === ServerCommand.fixTest && flows.tests && isTestTargetArguments(args[0])) {
                return flows.tests.fromArguments(args[0]);
            }
            if (command === ServerCommand.generateTests) {
                // "Generate tests for selection" from the lightbulb: same UI as the palette command.
                return vscode.commands.executeCommand(ClientCommand.generateTests);
            }
            return next(command, args);
        },
    });
    const gateway = server;
    const showTranscript = (uri?: string) => showTranscriptOf(gateway, transcripts, reportProblem, uri);
    const refreshSandbox = async () => {
        try {
            const info = await gateway.execute<SandboxInfo | Record<string, unknown>>(ServerCommand.sandbox, {});
            status.setSandbox(isFailure(info) ? undefined : { name: String(info.sandbox), protected: info.protected === true });
        } catch (error) {
            log.warn(`could not tell which sandbox runs the code: ${String(error)}`);
        }
    };
    const previews = new FixPreviews(gateway, states, (edit) => gateway.toWorkspaceEdit(edit), log);
    const runner = new FixRunner(gateway, previews, states, log, reportProblem, (_transcript, uri) => showTranscript(uri).catch(reportFailure));
    const tests = new TestFixes(gateway, runner, reportProblem, log);
    flows.runner = runner;
    flows.tests = tests;

    context.subscriptions.push(
        output,
        states,
        status,
        previews,
        transcripts,
        server,
        readOnly.register(),
        ...previews.register(),
        ...registerCommands({
            server,
            runner,
            previews,
            tests,
            showTranscript,
            openReadOnly: (name, content) => readOnly.open(name, content),
            keys,
            redactor,
            sandboxUsed: (sandbox) => status.setSandbox(sandbox),
            log,
            output,
            reportProblem,
            reportFailure,
        }),
        vscode.workspace.onDidCloseTextDocument((document) => states.forget(document.uri.toString())),
        ...new SweepView(gateway, log, reportFailure).register(),
        keys.onDidChange(() => {
            void keys.get().then((key) => redactor.add(key));
            void gateway.restart();
        }),
        vscode.workspace.onDidChangeConfiguration((event) => {
            if (!event.affectsConfiguration(SECTION)) {
                return;
            }
            const applied = needsRestart((name) => event.affectsConfiguration(name)) ? gateway.restart() : gateway.settingsChanged();
            void applied.then(refreshSandbox, (error) => log.warn(`settings not applied: ${String(error)}`));
        }),
    );

    python = await pythonExtensionProvider();
    if (python) {
        context.subscriptions.push(
            python.onDidChange(() => {
                log.info('the Python extension changed the active interpreter');
                if (gateway.interpreter?.source === 'python-extension') {
                    void gateway.restart();
                } else {
                    void gateway.settingsChanged();
                }
            }),
        );
    }
    log.info(`activated in ${Date.now() - activationStarted} ms`);
    void gateway.ready().then(refreshSandbox);
}

export async function deactivate(): Promise<void> {
    await server?.stop();
    server = undefined;
}
