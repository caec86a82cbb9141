/**
 * The UI's modules form no import cycle: no file reaches itself again through
 * its imports, whether static, type-only or a lazy import(). A cycle makes
 * load order matter (a module may see another half-initialised) and turns two
 * files into one that cannot be read or changed on its own.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import {repoRoot} from '../helpers/cli-io.js';

const uiDir = path.join(repoRoot, 'source', 'ui');

/** Every .ts/.tsx file under `dir`, as absolute paths. */
function sourceFiles(dir: string): string[] {
	return fs.readdirSync(dir, {withFileTypes: true}).flatMap((entry) => {
		const full = path.join(dir, entry.name);
		if (entry.isDirectory()) return sourceFiles(full);
		return /\.tsx?$/.test(entry.name) ? [full] : [];
	});
}

/** Code without its comments, so an example `import('...')` in a doc comment is not an import. */
function withoutComments(code: string): string {
	return code.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
}

/** The files under `root` that `file` imports (static `from '…'`, `import '…'` and lazy `import('…')`). */
function importsOf(file: string, root = uiDir): string[] {
	const code = withoutComments(fs.readFileSync(file, 'utf8'));
	const specifiers = [...code.matchAll(/\bfrom\s+'([^']+)'|\bimport\s*\(\s*'([^']+)'\s*\)|^import\s+'([^']+)'/gm)].map((match) => match[1] ?? match[2] ?? match[3]!);
	const targets: string[] = [];
	for (const specifier of specifiers) {
		if (!specifier.startsWith('.')) continue;
		const base = path.resolve(path.dirname(file), specifier).replace(/\.js$/, '');
		const target = [`${base}.ts`, `${base}.tsx`].find((candidate) => fs.existsSync(candidate));
		if (target?.startsWith(root + path.sep)) targets.push(target);
	}
	return [...new Set(targets)];
}

/** Cycles among the modules under `root`, found by depth-first search (none when the graph is acyclic). */
function importCycles(root: string): string[][] {
	const files = sourceFiles(root);
	const graph = new Map(files.map((file) => [file, importsOf(file, root)]));
	const state = new Map<string, 'open' | 'done'>();
	const trail: string[] = [];
	const cycles: string[][] = [];
	const visit = (file: string) => {
		state.set(file, 'open');
		trail.push(file);
		for (const next of graph.get(file) ?? []) {
			if (state.get(next) === 'open') cycles.push([...trail.slice(trail.indexOf(next)), next]);
			else if (!state.has(next)) visit(next);
		}
		trail.pop();
		state.set(file, 'done');
	};
	for (const file of files) if (!state.has(file)) visit(file);
	return cycles;
}

test('no import cycle among the UI’s modules (static, type-only or lazy)', (t) => {
	t.true(sourceFiles(uiDir).length > 20, 'the scan sees the UI’s files');
	t.true(importsOf(path.join(uiDir, 'run.tsx')).includes(path.join(uiDir, 'mount.tsx')), 'lazy imports are followed');
	const cycles = importCycles(uiDir).map((cycle) => cycle.map((file) => path.relative(uiDir, file)).join(' → '));
	t.deepEqual(cycles, []);
});

test('the scan reports a cycle when there is one', (t) => {
	const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'mj-tui-cycle-')));
	t.teardown(() => fs.rmSync(dir, {recursive: true, force: true}));
	fs.writeFileSync(path.join(dir, 'a.ts'), "import type {B} from './b.js';\nexport type A = B;\n");
	fs.writeFileSync(path.join(dir, 'b.ts'), "export type B = number;\nexport const load = () => import('./a.js');\n");
	const cycles = importCycles(dir).map((cycle) => cycle.map((file) => path.basename(file)));
	t.deepEqual(cycles, [['a.ts', 'b.ts', 'a.ts']]);
});
