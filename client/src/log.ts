/**
 * Logging for the "Fixloop" output channel, a VS Code LogOutputChannel (levels, timestamps and
 * the level picker come from VS Code). Every line passes through a redactor that knows the
 * secrets currently in play (the API key), so a secret that slips into a server message or an
 * error text never reaches the channel.
 */
import type * as vscode from 'vscode';

export const LOG_LEVELS = ['error', 'warn', 'info', 'debug'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

const RANK: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, debug: 3 };

export function isLogLevel(value: unknown): value is LogLevel {
    return typeof value === 'string' && (LOG_LEVELS as readonly string[]).includes(value);
}

/** Replaces known secrets with a mask; secrets shorter than 4 characters are too ambiguous to mask. */
export class Redactor {
    private readonly secrets = new Set<string>();

    add(secret: string | undefined): void {
        if (secret && secret.length >= 4) {
            this.secrets.add(secret);
        }
    }

    remove(secret: string | undefined): void {
        if (secret) {
            this.secrets.delete(secret);
        }
    }

    redact(text: string): string {
        let out = text;
        for (const secret of this.secrets) {
            out = out.split(secret).join('***');
        }
        return out;
    }
}

/** What the rest of the client logs through: the levelled methods of a LogOutputChannel. */
export type Logger = Pick<vscode.LogOutputChannel, 'error' | 'warn' | 'info' | 'debug'>;

/**
 * A LogOutputChannel that redacts everything written to it. The language client writes the
 * server's stderr and its own traces here (text we do not control), and our own levelled lines go
 * through the same methods, so a secret never reaches the channel by either path. VS Code stamps
 * and filters the levelled lines by the channel's own level ("Developer: Set Log Level..."); the
 * `fixloop.logLevel` setting (`floor`) drops lines below it before they reach the channel.
 */
export function redactingChannel(inner: vscode.LogOutputChannel, redactor: Redactor, floor: () => LogLevel = () => 'debug'): vscode.LogOutputChannel {
    const levelled =
        (level: LogLevel, write: (message: string) => void) =>
        (message: string | Error): void => {
            if (RANK[level] <= RANK[floor()]) {
                write(redactor.redact(message instanceof Error ? (message.stack ?? message.message) : message));
            }
        };
    return {
        get name() {
            return inner.name;
        },
        get logLevel() {
            return inner.logLevel;
        },
        onDidChangeLogLevel: inner.onDidChangeLogLevel,
        trace: levelled('debug', (message) => inner.trace(message)),
        debug: levelled('debug', (message) => inner.debug(message)),
        info: levelled('info', (message) => inner.info(message)),
        warn: levelled('warn', (message) => inner.warn(message)),
        error: levelled('error', (message) => inner.error(message)),
        append: (value: string) => inner.append(redactor.redact(value)),
        appendLine: (value: string) => inner.appendLine(redactor.redact(value)),
        replace: (value: string) => inner.replace(redactor.redact(value)),
        clear: () => inner.clear(),
        show: (...args: unknown[]) => (inner.show as (...a: unknown[]) => void)(...args),
        hide: () => inner.hide(),
        dispose: () => inner.dispose(),
    };
}
