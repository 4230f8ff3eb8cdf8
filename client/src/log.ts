/**
 * Logging for the "Fixloop" output channel. Lines below the configured level are dropped, and
 * every line passes through a redactor that knows the secrets currently in play (the API key),
 * so a secret that slips into a server message or an error text never reaches the channel.
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

interface LineSink {
    appendLine(value: string): void;
}

export class Logger {
    constructor(
        private readonly sink: LineSink,
        private readonly redactor: Redactor,
        private level: LogLevel = 'info',
    ) {}

    setLevel(level: LogLevel): void {
        this.level = level;
    }

    error(message: string): void {
        this.write('error', message);
    }

    warn(message: string): void {
        this.write('warn', message);
    }

    info(message: string): void {
        this.write('info', message);
    }

    debug(message: string): void {
        this.write('debug', message);
    }

    private write(level: LogLevel, message: string): void {
        if (RANK[level] > RANK[this.level]) {
            return;
        }
        const stamp = new Date().toISOString().slice(11, 23);
        this.sink.appendLine(`[${stamp}] [${level}] ${this.redactor.redact(message)}`);
    }
}

/**
 * An OutputChannel that redacts before writing. The language client writes the server's stderr
 * and its own traces here, text we do not control, so it gets the same protection as our logs.
 */
export function redactingChannel(inner: vscode.OutputChannel, redactor: Redactor): vscode.OutputChannel {
    return {
        get name() {
            return inner.name;
        },
        append: (value: string) => inner.append(redactor.redact(value)),
        appendLine: (value: string) => inner.appendLine(redactor.redact(value)),
        replace: (value: string) => inner.replace(redactor.redact(value)),
        clear: () => inner.clear(),
        show: (...args: unknown[]) => (inner.show as (...a: unknown[]) => void)(...args),
        hide: () => inner.hide(),
        dispose: () => inner.dispose(),
    };
}
