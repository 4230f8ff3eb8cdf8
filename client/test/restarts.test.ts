/** Server restarts: languageclient's crash-loop verdict, paced by a growing pause, with our buttons. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_RESTARTS, RESTART_BACKOFF_MS, RestartPolicy } from '../src/restarts';
import { capturingLogger } from './helpers';

function policy(wanted = () => true) {
    const slept: number[] = [];
    const gaveUp: number[] = [];
    const { log, lines } = capturingLogger();
    const restarts = new RestartPolicy({
        stillWanted: wanted,
        onGiveUp: () => gaveUp.push(1),
        log,
        sleep: (ms) => (slept.push(ms), Promise.resolve()),
        now: () => 1_000_000,
    });
    return { restarts, slept, gaveUp, lines };
}

test('each restart waits longer, then the crash loop stops with our message', async () => {
    const { restarts, slept, gaveUp, lines } = policy();
    for (let i = 0; i < MAX_RESTARTS; i++) {
        assert.equal(await restarts.afterClose({ restart: true }), true);
    }
    assert.deepEqual(slept, RESTART_BACKOFF_MS.slice(0, MAX_RESTARTS));
    assert.ok(slept.every((ms, i) => i === 0 || ms > (slept[i - 1] ?? 0)), 'the pause grows');
    assert.deepEqual(gaveUp, []);
    // languageclient's handler detected the loop: no restart, and the user gets the button.
    assert.equal(await restarts.afterClose({ restart: false, message: 'crashed 4 times' }), false);
    assert.deepEqual(gaveUp, [1]);
    assert.equal(slept.length, MAX_RESTARTS, 'no pause when not restarting');
    assert.ok(lines.some((line) => line.startsWith('[error]') && line.includes('crashed 4 times')));
});

test('the pause stays at its longest while crashes keep coming', async () => {
    const { restarts, slept } = policy();
    for (let i = 0; i < RESTART_BACKOFF_MS.length + 2; i++) {
        await restarts.afterClose({ restart: true });
    }
    assert.equal(slept[slept.length - 1], RESTART_BACKOFF_MS[RESTART_BACKOFF_MS.length - 1]);
});

test('a server stopped or replaced during the pause is not restarted', async () => {
    let wanted = true;
    const { restarts, slept } = policy(() => wanted);
    wanted = false;
    assert.equal(await restarts.afterClose({ restart: true }), false);
    assert.equal(slept.length, 1);
});
