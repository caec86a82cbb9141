/**
 * The installed `mj-tui` command: one esbuild bundle of tsc's output
 * (dist/source/cli.js), split at the dynamic imports so what starts lazily
 * still loads lazily.
 *
 * Why: before the first frame Node spent about a third of its time loading
 * modules one file at a time (resolving ~300 files, opening each, and running
 * cjs-module-lexer over React's CommonJS to find its named exports). A bundle
 * is a handful of files with the CommonJS already wrapped.
 *
 * Kept out of the bundle: native addons (better-sqlite3, sharp) and what loads
 * only on demand and is large or optional (undici on the first transfer,
 * playwright-core in tests, typescript for a .ts config file, Ink's devtools).
 */
import {chmodSync, readFileSync, rmSync} from 'node:fs';
import path from 'node:path';
import {build} from 'esbuild';

const outdir = 'dist/bin';
rmSync(outdir, {recursive: true, force: true});

// The gallery page's search engine, built now: the bundle carries its text in place of the module that
// would build it with esbuild at run time (see source/core/export/gallery-query-script.ts).
const galleryQueryModule = /[\\/]core[\\/]export[\\/]gallery-query-script\.js$/;
const {buildGalleryQueryScript} = await import('../dist/source/core/export/gallery-query-script.js');
const galleryQueryText = await buildGalleryQueryScript();
let galleryQueryInlined = false;
const inlineGalleryQuery = {
	name: 'inline-gallery-query',
	setup(bundle) {
		bundle.onLoad({filter: galleryQueryModule}, () => {
			galleryQueryInlined = true;
			return {contents: `export async function galleryQueryScript() { return ${JSON.stringify(galleryQueryText)}; }`, loader: 'js'};
		});
	},
};

// Ink's frame builder, swapped for one that keeps rows across frames (source/ui/ink-output/row-cached-output.ts says
// why). The swap is written against Ink 6.8.0's output.js: test/ui/ink-output.test.ts pins that file and checks the
// two give the same bytes. The replacement gets Ink's own copies of the libraries output.js imports (Ink's nested
// string-width and slice-ansi are newer than the app's), resolved from Ink's directory.
const inkOutputModule = /[\\/]node_modules[\\/]ink[\\/]build[\\/]output\.js$/;
const rowCachedOutput = path.resolve('dist/source/ui/ink-output/row-cached-output.js');
let inkOutputSwapped = false;
const swapInkOutput = {
	name: 'swap-ink-output',
	setup(bundle) {
		bundle.onLoad({filter: inkOutputModule}, (args) => {
			const {version} = JSON.parse(readFileSync(path.join(path.dirname(args.path), '..', 'package.json'), 'utf8'));
			if (version !== '6.8.0') throw new Error(`bundle: ink ${version} is not the 6.8.0 that row-cached-output.ts copies; check it against the new output.js`);
			inkOutputSwapped = true;
			const contents = [
				"import sliceAnsi from 'slice-ansi';",
				"import stringWidth from 'string-width';",
				"import {ansiCodesToString, diffAnsiCodes, styledCharsFromTokens, tokenize} from '@alcalzone/ansi-tokenize';",
				`import {rowCachedOutput} from ${JSON.stringify(rowCachedOutput)};`,
				'export default rowCachedOutput({sliceAnsi, stringWidth, tokenize, styledCharsFromTokens, diffAnsiCodes, ansiCodesToString});',
			].join('\n');
			return {contents, loader: 'js', resolveDir: path.dirname(args.path)};
		});
	},
};

// Ink measures and re-measures every text node's widest line on every frame (render-node-to-output.js, and
// measure-text.js for Yoga); widest-line is a pure function of the string, so Ink's imports of it get one that
// remembers recent strings (source/ui/ink-output/text-memo.ts).
const inkBuildDir = /[\\/]node_modules[\\/]ink[\\/]build[\\/][^\\/]+\.js$/;
const textMemo = path.resolve('dist/source/ui/ink-output/text-memo.js');
let widestLineSwapped = 0;
const memoiseInkWidestLine = {
	name: 'memoise-ink-widest-line',
	setup(bundle) {
		bundle.onResolve({filter: /^widest-line$/}, (args) => {
			if (!inkBuildDir.test(args.importer)) return undefined;
			widestLineSwapped++;
			return {path: args.resolveDir, namespace: 'ink-widest-line'};
		});
		bundle.onLoad({filter: /.*/, namespace: 'ink-widest-line'}, (args) => ({
			contents: `import widestLine from 'widest-line';\nimport {memoiseText} from ${JSON.stringify(textMemo)};\nexport default memoiseText(widestLine, 4096);`,
			loader: 'js',
			resolveDir: args.path,
		}));
	},
};

// Yoga (Ink's layout) ships its WebAssembly as a base64 data: URL and, where fetch exists, reads it through fetch:
// in Node that loads Node's built-in undici first, ~50 ms before the first frame (~35 ms of CPU) for one data URL.
// Yoga's own path for runtimes without fetch decodes the base64 directly; the bundle takes that path.
const yogaWasmModule = /[\\/]node_modules[\\/]yoga-layout[\\/]dist[\\/]binaries[\\/]yoga-wasm-base64-esm\.js$/;
const yogaFetchCheck = 'function ya(){return w||"function"!=typeof fetch?';
let yogaFetchSkipped = false;
const yogaWithoutFetch = {
	name: 'yoga-without-fetch',
	setup(bundle) {
		bundle.onLoad({filter: yogaWasmModule}, (args) => {
			const source = readFileSync(args.path, 'utf8');
			if (!source.includes(yogaFetchCheck)) throw new Error(`bundle: yoga-layout's wasm loader changed (no ${yogaFetchCheck}); see yogaWithoutFetch`);
			yogaFetchSkipped = true;
			return {contents: source.replace(yogaFetchCheck, 'function ya(){return true?'), loader: 'js'};
		});
	},
};

await build({
	entryPoints: ['dist/source/cli.js'],
	outdir,
	chunkNames: 'chunks/[name]-[hash]',
	bundle: true,
	splitting: true,
	format: 'esm',
	platform: 'node',
	target: 'node20',
	// React, its reconciler and scheduler ship a production and a development build chosen at run time by
	// NODE_ENV; the app always runs production (ui/run.tsx), so the development builds (~1 MB of the 1.7 MB
	// Ink chunk) are dropped here instead of being read and parsed before every first frame.
	define: {'process.env.NODE_ENV': '"production"'},
	external: ['better-sqlite3', 'sharp', 'undici', 'playwright-core', 'typescript', 'react-devtools-core'],
	// CommonJS inside an ESM bundle still calls require() (for Node's built-ins): give every chunk one.
	banner: {js: "import {createRequire as __mjTuiCreateRequire} from 'node:module'; const require = __mjTuiCreateRequire(import.meta.url);"},
	logLevel: 'warning',
	plugins: [inlineGalleryQuery, swapInkOutput, memoiseInkWidestLine, yogaWithoutFetch],
});
if (!inkOutputSwapped) throw new Error('bundle: Ink\'s output.js was not swapped (did Ink move it?)');
if (widestLineSwapped === 0) throw new Error('bundle: Ink no longer imports widest-line (see memoiseInkWidestLine)');
if (!yogaFetchSkipped) throw new Error('bundle: yoga-layout\'s wasm loader was not found (see yogaWithoutFetch)');
if (!galleryQueryInlined) throw new Error('bundle: the gallery search engine was not inlined (was gallery-query-script moved?)');
// The bin: npx and a shell run it directly (esbuild writes files without the execute bit).
chmodSync(`${outdir}/cli.js`, 0o755);
