// A small pytest test controller for Fixloop's end-to-end test. The Python extension, which
// normally fills the Testing view, cannot be installed offline, so this stands in for it: it
// lists the `def test_*` functions of the workspace's test_*.py files as test items (id
// "FILE::NAME", with the file's URI and the function's range, as the Python extension does) and
// runs them with pytest. The harness packages it with vsce and installs it next to Fixloop.
const vscode = require('vscode');
const { execFile } = require('node:child_process');

async function discover(controller) {
    for (const uri of await vscode.workspace.findFiles('**/test_*.py')) {
        const text = Buffer.from(await vscode.workspace.fs.readFile(uri)).toString('utf8');
        const file = vscode.workspace.asRelativePath(uri);
        const parent = controller.createTestItem(file, file, uri);
        text.split('\n').forEach((line, index) => {
            const match = /^def (test_\w+)\(/.exec(line);
            if (match) {
                const item = controller.createTestItem(`${file}::${match[1]}`, match[1], uri);
                item.range = new vscode.Range(index, 0, index, line.length);
                parent.children.add(item);
            }
        });
        controller.items.add(parent);
    }
}

function runPytest(nodeid, cwd) {
    const python = process.env.FIXLOOP_E2E_TEST_PYTHON || 'python3';
    return new Promise((resolve) => {
        execFile(python, ['-m', 'pytest', '-q', '-p', 'no:cacheprovider', nodeid], { cwd, timeout: 60000 }, (error, stdout, stderr) => {
            resolve({ passed: !error, output: `${stdout}${stderr}` });
        });
    });
}

exports.activate = async (context) => {
    const controller = vscode.tests.createTestController('fixloopE2ePytest', 'E2E pytest');
    context.subscriptions.push(controller);
    await discover(controller);
    controller.createRunProfile(
        'Run',
        vscode.TestRunProfileKind.Run,
        async (request) => {
            const run = controller.createTestRun(request);
            const cwd = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
            const queue = [];
            const add = (item) => (item.children.size ? item.children.forEach(add) : queue.push(item));
            (request.include ?? [...controller.items].map(([, item]) => item)).forEach(add);
            for (const item of queue) {
                run.started(item);
                const result = await runPytest(item.id, cwd);
                if (result.passed) {
                    run.passed(item);
                } else {
                    run.failed(item, new vscode.TestMessage(result.output.slice(-2000)));
                }
            }
            run.end();
        },
        true,
    );
};
