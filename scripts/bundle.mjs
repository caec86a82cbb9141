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
import {chmodSync, rmSync} from 'node:fs';
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
	plugins: [inlineGalleryQuery],
});
if (!galleryQueryInlined) throw new Error('bundle: the gallery search engine was not inlined (was gallery-query-script moved?)');
// The bin: npx and a shell run it directly (esbuild writes files without the execute bit).
chmodSync(`${outdir}/cli.js`, 0o755);
