/**
 * Entry point of the Fixloop extension: builds the pieces (output channel and logger, API key
 * store, status bar, diff previews, server, repair flow, commands) and wires their events:
 * settings changes update or restart the server, the Python extension's active environment
 * becomes the interpreter for user code, and a changed API key restarts the server.
 */
import * as os from 'node:os';
import * as vscode from 'vscode';
import { ClientCommand, registerCommands } from './commands';
import { expandPath, needsRestart, readClientSettings, readServerSettings, SECTION } from './config';
import { FixPreviews } from './diffPreview';
import { FixRunner } from './fixRunner';
import { ActiveInterpreterProvider, pythonExtensionProvider, resolveUserCodeInterpreter } from './interpreter';
import { Logger, Redactor, redactingChannel } from './log';
import { classifyFailure, Problem } from './problems';
import { isFixArguments, ServerCommand } from './protocol';
import { ApiKeyStore } from './secrets';
import { FixloopServer } from './server';
import { StatusIndicator } from './status';
import { SweepView } from './sweepView';
import { showTranscript } from './views';

let server: FixloopServer | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
    const activationStarted = Date.now();
    const redactor = new Redactor();
    const output = redactingChannel(vscode.window.createOutputChannel('Fixloop'), redactor);
    const log = new Logger(output, redactor, readClientSettings(vscode.workspace.getConfiguration(SECTION)).logLevel);
    const keys = new ApiKeyStore(context.secrets);
    redactor.add(await keys.get());
    const status = new StatusIndicator(ClientCommand.showTranscript);
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
        const text = error instanceof Error ? error.message : String(error);
        log.error(text);
        reportProblem(classifyFailure(text, server?.interpreter?.path));
    };

    // The server needs the fix flow for quick-fix commands, and the flow needs the server.
    const flow: { runner?: FixRunner } = {};
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
            // "Debug and fix" from the quick-fix menu: same progress, status and result handling
            // as the palette command, without opening a diff (the menu then offers the fix).
            if (command === ServerCommand.fix && flow.runner && isFixArguments(args[0])) {
                return flow.runner.run(args[0], 'quickfix');
            }
            if (command === ServerCommand.generateTests) {
                // "Generate tests for selection" from the lightbulb: same UI as the palette command.
                return vscode.commands.executeCommand(ClientCommand.generateTests);
            }
            return next(command, args);
        },
    });
    const gateway = server;
    const previews = new FixPreviews((edit) => gateway.toWorkspaceEdit(edit), log);
    const runner = new FixRunner(gateway, previews, status, log, reportFailure, (transcript, uri) => showTranscript(gateway, transcript, uri).catch(reportFailure));
    flow.runner = runner;

    context.subscriptions.push(
        output,
        status,
        previews,
        server,
        ...previews.register(),
        ...registerCommands({ server, runner, previews, keys, redactor, status, log, output, reportFailure }),
        ...new SweepView(gateway, log, reportFailure).register(),
        keys.onDidChange(() => {
            void keys.get().then((key) => redactor.add(key));
            void gateway.restart();
        }),
        vscode.workspace.onDidChangeConfiguration((event) => {
            if (!event.affectsConfiguration(SECTION)) {
                return;
            }
            log.setLevel(readClientSettings(vscode.workspace.getConfiguration(SECTION)).logLevel);
            if (needsRestart((name) => event.affectsConfiguration(name))) {
                void gateway.restart();
            } else {
                void gateway.settingsChanged();
            }
        }),
    );

    python = await pythonExtensionProvider(vscode.extensions);
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
    void gateway.ready();
}

export async function deactivate(): Promise<void> {
    await server?.stop();
    server = undefined;
}
