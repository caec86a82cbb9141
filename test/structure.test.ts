/**
 * The layout rules a newcomer relies on, checked over source/: no import
 * cycles (static, `export from` and lazy `import()` alike), no file over 450
 * lines, and SQL only in source/core/archive/. Each check reports every
 * violation in one message, file (and line) named.
 */
import fs from 'node:fs';
import path from 'node:path';
import test from 'ava';
import ts from 'typescript';
import {repoRoot} from './helpers/cli-io.js';

/**
 * Violations known today in areas other branches are reworking, each with its
 * owner. The lead empties this at merge time; an entry that no longer matches
 * anything fails the last test, so the list cannot go stale.
 */
const knownElsewhere: Record<string, string> = {};

const sourceRoot = path.join(repoRoot, 'source');
const maxLines = 450;

function sourceFiles(dir = sourceRoot): string[] {
	return fs.readdirSync(dir, {withFileTypes: true}).flatMap(entry => {
		const full = path.join(dir, entry.name);
		if (entry.isDirectory()) return sourceFiles(full);
		return /\.tsx?$/.test(entry.name) && !entry.name.endsWith('.d.ts') ? [full] : [];
	});
}

const files = sourceFiles();
const relative = (file: string) => path.relative(repoRoot, file).split(path.sep).join('/');
const parsed = new Map(files.map(file => [file, ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true)]));

/** A relative specifier (`./x.js`) → the source file it names, or undefined for packages and node: built-ins. */
function resolveImport(from: string, specifier: string): string | undefined {
	if (!specifier.startsWith('.')) return undefined;
	const base = path.resolve(path.dirname(from), specifier);
	const candidates = [base, base.replace(/\.js$/, '.ts'), base.replace(/\.js$/, '.tsx'), `${base}.ts`, `${base}.tsx`, path.join(base, 'index.ts')];
	return candidates.find(candidate => parsed.has(candidate));
}

/** Every module a file imports: `import`, `import type`, `export … from` and lazy `import('…')`. */
function importsOf(file: string): string[] {
	const info = ts.preProcessFile(parsed.get(file)!.text, true, true);
	return info.importedFiles.map(ref => resolveImport(file, ref.fileName)).filter((target): target is string => target !== undefined);
}

/** Strongly connected components with more than one member (or a self-import): each holds at least one cycle. */
function importCycles(graph: Map<string, string[]>): string[][] {
	const index = new Map<string, number>();
	const low = new Map<string, number>();
	const stack: string[] = [];
	const onStack = new Set<string>();
	const components: string[][] = [];
	let counter = 0;
	const visit = (node: string) => {
		index.set(node, counter);
		low.set(node, counter++);
		stack.push(node);
		onStack.add(node);
		for (const next of graph.get(node) ?? []) {
			if (!index.has(next)) {
				visit(next);
				low.set(node, Math.min(low.get(node)!, low.get(next)!));
			} else if (onStack.has(next)) low.set(node, Math.min(low.get(node)!, index.get(next)!));
		}
		if (low.get(node) === index.get(node)) {
			const component: string[] = [];
			let member: string;
			do {
				member = stack.pop()!;
				onStack.delete(member);
				component.push(member);
			} while (member !== node);
			if (component.length > 1 || graph.get(node)!.includes(node)) components.push(component.sort());
		}
	};
	for (const node of graph.keys()) if (!index.has(node)) visit(node);
	return components;
}

/** One concrete loop inside a component, for the message: a → b → a. */
function oneLoop(component: string[], graph: Map<string, string[]>): string[] {
	const inside = new Set(component);
	const start = component[0]!;
	const previous = new Map<string, string>();
	const queue = [start];
	while (queue.length > 0) {
		const node = queue.shift()!;
		for (const next of graph.get(node)!) {
			if (!inside.has(next)) continue;
			if (next === start) {
				const loop = [start];
				for (let at = node; at !== start; at = previous.get(at)!) loop.splice(1, 0, at);
				return [...loop, start];
			}
			if (!previous.has(next)) {
				previous.set(next, node);
				queue.push(next);
			}
		}
	}
	return component;
}

const sqlCall = new Set(['prepare', 'exec', 'pragma']);
const sqlText = /^\s*(SELECT|INSERT|UPDATE|DELETE|CREATE|PRAGMA|WITH|DROP|ALTER)\s/;

/** A regular expression written in place: `/re/` or `new RegExp(...)`. */
function isRegexExpression(node: ts.Node | undefined): boolean {
	return node !== undefined && (ts.isRegularExpressionLiteral(node) || (ts.isNewExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'RegExp'));
}

/** `file:line` of every SQL statement or SQL-running call in a file. */
function sqlSites(file: string): string[] {
	const source = parsed.get(file)!;
	const sites: string[] = [];
	const at = (node: ts.Node) => `${relative(file)}:${source.getLineAndCharacterOfPosition(node.getStart()).line + 1}`;
	// `/re/.exec(text)` and `pattern.exec(text)` (pattern = /re/) are regexes, not SQL: names bound to a regex in this file.
	const regexNames = new Set<string>();
	// Also arrays of regexes, and the loop variable of a for-of over one (`for (const pattern of patterns) pattern.exec(...)`).
	const regexArrays = new Set<string>();
	const isRegexArray = (node: ts.Node | undefined) => node !== undefined && ts.isArrayLiteralExpression(node) && node.elements.length > 0 && node.elements.every(element => isRegexExpression(element));
	const collect = (node: ts.Node) => {
		if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && isRegexExpression(node.initializer)) regexNames.add(node.name.text);
		if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && isRegexArray(node.initializer)) regexArrays.add(node.name.text);
		if (ts.isForOfStatement(node) && ts.isIdentifier(node.expression) && regexArrays.has(node.expression.text) && ts.isVariableDeclarationList(node.initializer)) {
			for (const declaration of node.initializer.declarations) if (ts.isIdentifier(declaration.name)) regexNames.add(declaration.name.text);
		}
		ts.forEachChild(node, collect);
	};
	collect(source);
	const visit = (node: ts.Node) => {
		if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && sqlCall.has(node.expression.name.text)) {
			const receiver = ts.isParenthesizedExpression(node.expression.expression) ? node.expression.expression.expression : node.expression.expression;
			const isRegexExec = node.expression.name.text === 'exec' && (isRegexExpression(receiver) || (ts.isIdentifier(receiver) && regexNames.has(receiver.text)));
			if (!isRegexExec) sites.push(at(node));
		} else if ((ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) && sqlText.test(node.text)) sites.push(at(node));
		else if (ts.isTemplateExpression(node) && sqlText.test(node.head.text)) sites.push(at(node));
		ts.forEachChild(node, visit);
	};
	visit(source);
	return [...new Set(sites)];
}

const graph = new Map(files.map(file => [file, [...new Set(importsOf(file))]]));
const cycles = importCycles(graph).map(component => ({key: `cycle ${component.map(relative).join(' ↔ ')}`, loop: oneLoop(component, graph).map(relative).join(' → ')}));
const longFiles = files.map(file => ({file: relative(file), lines: parsed.get(file)!.text.split('\n').length - (parsed.get(file)!.text.endsWith('\n') ? 1 : 0)})).filter(({lines}) => lines > maxLines);
const archiveDir = `${path.join(sourceRoot, 'core', 'archive')}${path.sep}`;
const sqlOutside = files.filter(file => !file.startsWith(archiveDir)).map(file => ({file: relative(file), sites: sqlSites(file)})).filter(({sites}) => sites.length > 0);

test('the import graph reads the resolver right: it sees lazy imports and type imports', t => {
	// Guards the guard: if resolution broke, the cycle check would pass on an empty graph.
	const runCli = graph.get(path.join(sourceRoot, 'cli', 'run-cli.ts'))!.map(relative);
	t.true(runCli.includes('source/ui/run.tsx'), 'lazy import("../ui/run.js") is an edge');
	t.true(runCli.includes('source/commands/index.ts'));
	t.true(runCli.includes('source/commands/types.ts'), '`import type` is an edge');
});

test('no import cycles in source/', t => {
	const found = cycles.filter(cycle => !Object.hasOwn(knownElsewhere, cycle.key));
	t.deepEqual(found.map(cycle => cycle.loop), [], `Import cycles:\n${found.map(cycle => `  ${cycle.loop}`).join('\n')}`);
});

test(`no source file over ${maxLines} lines`, t => {
	const found = longFiles.filter(({file}) => !Object.hasOwn(knownElsewhere, `lines ${file}`));
	t.deepEqual(found, [], `Files over ${maxLines} lines:\n${found.map(({file, lines}) => `  ${file}: ${lines}`).join('\n')}`);
});

test('SQL lives only in source/core/archive/', t => {
	const found = sqlOutside.filter(({file}) => !Object.hasOwn(knownElsewhere, `sql ${file}`));
	t.deepEqual(found.flatMap(({sites}) => sites), [], `SQL outside source/core/archive/:\n${found.flatMap(({sites}) => sites.map(site => `  ${site}`)).join('\n')}`);
});

test('every allow-listed violation still exists (remove the entry once it is fixed)', t => {
	const current = new Set([...cycles.map(cycle => cycle.key), ...longFiles.map(({file}) => `lines ${file}`), ...sqlOutside.map(({file}) => `sql ${file}`)]);
	const stale = Object.keys(knownElsewhere).filter(key => !current.has(key));
	t.deepEqual(stale, [], `Fixed, so drop from knownElsewhere in test/structure.test.ts:\n${stale.map(key => `  ${key}`).join('\n')}`);
});
