// The end-to-end test in a real VS Code (code-server 4.96.4 + Playwright + Debian's Chromium),
// with the built .vsix installed, the server running from the bundle under the system python3
// (no pygls of its own), and a small pytest test controller (tests/e2e/test_controller) standing
// in for the Python extension in the Testing view. One step per flow of issue 13 (and the flows
// before it); screenshots go to test-output/e2e/, and with --update-screenshots the ones the
// README shows are copied to docs/screenshots/. Prints "e2e: N passed, N failed".
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { SERVER_PYTHON, TEST_PYTHON } from './checks.mjs';
import { cancelAndStaleFlow, checkerOnlyFlow, debugSelectionFlow, discardAndStatusFlow, otherToolsFlow, quickFixFlow, runTestsFlow, testingViewFlow } from './flows_fix.mjs';
import { apiKeyFlow, missingInterpreterFlow, missingPackageFlow, modelFlow, sandboxProblemFlow } from './flows_setup.mjs';
import { taskPackageFlow } from './flows_task.mjs';
import { OUTPUT_DIR, ROOT } from './harness.mjs';
import { Workbench } from './workbench.mjs';

const README_SHOTS = {
    '02-diff-preview': 'diff-preview.png',
    '04-transcript': 'transcript-view.png',
    '05-squiggle': 'run-file-squiggle.png',
    '06-quick-fix-debug': 'quick-fix-debug.png',
    '08-quick-fix-apply': 'quick-fix-apply.png',
    '10-status-verified': 'status-verified.png',
    '13-run-tests-marks': 'run-tests-marks.png',
    '14-quick-fix-under-test': 'quick-fix-under-test.png',
    '15-quick-fix-other-tools': 'quick-fix-other-tools.png',
    '16-testing-view-fix': 'testing-view-fix.png',
    '21-missing-interpreter': 'missing-interpreter.png',
    '24-no-model': 'no-model.png',
    '26-task-package': 'task-package.png',
    '27-checker-only-offer': 'checker-only-fix.png',
};

// [name, flow, issue 13 item]; FIXLOOP_E2E_ONLY=1,3 runs a subset while debugging.
const FLOWS = [
    ['debug and fix selection -> diff preview -> apply -> transcript view', debugSelectionFlow, '1, 6'],
    ['run file -> squiggle -> quick fixes -> notification closes', quickFixFlow, '1, 8'],
    ['status per document; discard; local sandbox warning', discardAndStatusFlow, '1, 5'],
    ['run tests -> marks where the bug is -> fix from the test file', runTestsFlow, '2'],
    ["another tool's error (py_compile task) -> Debug and fix (Fixloop)", otherToolsFlow, '3'],
    ["only the checker fails (mypy task, tests pass) -> the fix clears it", checkerOnlyFlow, '3'],
    ['Testing view -> Fix with Fixloop', testingViewFlow, '4'],
    ['cancelled before a fix; document changed during the loop', cancelAndStaleFlow, '8'],
    ['API key stays secret', apiKeyFlow, '-'],
    ['missing interpreter -> one clear message', missingInterpreterFlow, '-'],
    ['missing optional package -> one message with Install; no key', missingPackageFlow, '7'],
    ['sandbox unavailable -> the code picks the message', sandboxProblemFlow, '-'],
    ['model-only command without a model; read-only task result', modelFlow, '7'],
    ['Solve Task pip-installs a package into its own directory', taskPackageFlow, '9'],
];

async function main() {
    const update = process.argv.includes('--update-screenshots');
    const results = [];
    const started = Date.now();
    const vscode = await Workbench.start({
        // User code runs with the project's interpreter (it has pytest, as a project with tests
        // does); the server itself runs on the system python3 with nothing but the bundle.
        settings: { 'fixloop.serverPython': SERVER_PYTHON, 'fixloop.python': TEST_PYTHON, 'fixloop.logLevel': 'debug', 'fixloop.sandbox': process.env.FIXLOOP_E2E_SANDBOX ?? 'auto', ...(process.env.FIXLOOP_E2E_TRACE ? { 'fixloop.trace.server': 'verbose' } : {}) },
        extensions: [join(ROOT, 'tests', 'e2e', 'test_controller')],
        env: { FIXLOOP_E2E_TEST_PYTHON: TEST_PYTHON },
    });
    try {
        const only = (process.env.FIXLOOP_E2E_ONLY ?? '').split(',').filter(Boolean).map(Number);
        for (const [name, flow, item] of FLOWS.filter((_f, index) => only.length === 0 || only.includes(index + 1))) {
            const flowStarted = Date.now();
            try {
                // Each step starts without the previous step's messages (and its screenshots too).
                await vscode.palette('Notifications: Clear All Notifications');
                const detail = await flow(vscode);
                results.push({ name, ok: true });
                console.log(`PASS ${name} [issue 13: ${item}] (${((Date.now() - flowStarted) / 1000).toFixed(1)} s): ${detail}`);
            } catch (error) {
                results.push({ name, ok: false });
                const slug = name.replace(/\W+/g, '-');
                await vscode.screenshot(`FAILED-${slug}`).catch(() => undefined);
                console.log(`FAIL ${name}: ${error instanceof Error ? error.message : error}`);
                console.log('--- Fixloop output channel ---');
                console.log(vscode.outputChannelLog().split('\n').slice(-Number(process.env.FIXLOOP_E2E_LOG_LINES ?? 40)).join('\n'));
                await vscode.closeAll().catch(() => undefined);
            }
        }
    } finally {
        await vscode.stop();
        vscode.cleanup();
    }
    if (update) {
        mkdirSync(join(ROOT, 'docs', 'screenshots'), { recursive: true });
        for (const [shot, target] of Object.entries(README_SHOTS)) {
            const source = join(OUTPUT_DIR, `${shot}.png`);
            if (existsSync(source)) {
                copyFileSync(source, join(ROOT, 'docs', 'screenshots', target));
            }
        }
    }
    const passed = results.filter((r) => r.ok).length;
    console.log(`screenshots: ${OUTPUT_DIR}; total ${((Date.now() - started) / 1000).toFixed(1)} s`);
    console.log(`e2e: ${passed} passed, ${results.length - passed} failed`);
    process.exitCode = passed === results.length ? 0 : 1;
}

main().catch((error) => {
    console.error(`e2e: could not run: ${error instanceof Error ? error.stack : error}`);
    console.log('e2e: 0 passed, 1 failed');
    process.exitCode = 1;
});


