// Bundle the extension (client/src -> client/bundled/extension.js) or, with --tests, the unit
// tests (client/test/*.test.ts -> out/unit/), where `vscode` resolves to the stub module.
import { build, context } from 'esbuild';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = new Set(process.argv.slice(2));
const common = { bundle: true, platform: 'node', format: 'cjs', target: 'node18', logLevel: 'warning' };

if (args.has('--tests')) {
    const testDir = join(root, 'client', 'test');
    const entryPoints = readdirSync(testDir).filter((f) => f.endsWith('.test.ts')).map((f) => join(testDir, f));
    await build({
        ...common,
        entryPoints,
        outdir: join(root, 'out', 'unit'),
        sourcemap: 'inline',
        alias: { vscode: join(testDir, 'vscode-stub.ts') },
    });
} else {
    const options = {
        ...common,
        entryPoints: [join(root, 'client', 'src', 'extension.ts')],
        outfile: join(root, 'client', 'bundled', 'extension.js'),
        external: ['vscode'],
        minify: !args.has('--dev'),
        sourcemap: args.has('--dev') ? 'inline' : false,
    };
    if (args.has('--watch')) {
        await (await context(options)).watch();
    } else {
        await build(options);
    }
}
