/**
 * What happens when the server process dies. vscode-languageclient already restarts a server
 * whose connection closed and already tells a crash loop apart (its default error handler: more
 * than `maxRestartCount` closes within three minutes); this wraps that handler rather than
 * counting crashes again. It adds two things the default lacks: a growing pause before each
 * restart, so a server that dies at once does not spin, and, when the default gives up, our own
 * message with a Restart Server button instead of the client's plain one.
 */
import type { Logger } from './log';

/** Pauses before the 1st, 2nd, 3rd... restart within the crash window. */
export const RESTART_BACKOFF_MS: readonly number[] = [500, 2000, 5000];
/** Restarts languageclient allows within its three-minute window before it gives up. */
export const MAX_RESTARTS = 3;
const WINDOW_MS = 3 * 60 * 1000;

/** What languageclient's default handler decided about a closed connection. */
export interface CloseVerdict {
    readonly restart: boolean;
    readonly message?: string;
}

export interface RestartDeps {
    /** False once this client was stopped or replaced while it waited to restart. */
    readonly stillWanted: () => boolean;
    /** The crash loop was detected: tell the user, with a way to restart. */
    readonly onGiveUp: () => void;
    readonly log: Logger;
    readonly sleep?: (ms: number) => Promise<void>;
    readonly now?: () => number;
}

/**
 * Paces the restarts languageclient decides on. It speaks booleans rather than languageclient's
 * enums so that it loads (and is tested) without the language client, which needs real VS Code.
 */
export class RestartPolicy {
    private readonly closes: number[] = [];

    constructor(private readonly deps: RestartDeps) {}

    /** Whether to restart after languageclient's `verdict`, once the pause for this restart is over. */
    async afterClose(verdict: CloseVerdict): Promise<boolean> {
        if (!verdict.restart) {
            this.deps.log.error(`the server stopped repeatedly; not restarting it (${verdict.message ?? 'crash loop'})`);
            this.deps.onGiveUp();
            return false;
        }
        const now = (this.deps.now ?? Date.now)();
        this.closes.push(now);
        while ((this.closes[0] ?? now) < now - WINDOW_MS) {
            this.closes.shift();
        }
        const delay = RESTART_BACKOFF_MS[Math.min(this.closes.length, RESTART_BACKOFF_MS.length) - 1] ?? 0;
        this.deps.log.warn(`the server stopped unexpectedly; restarting it in ${delay} ms`);
        await (this.deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))))(delay);
        return this.deps.stillWanted();
    }
}
