/**
 * The gallery page's search engine: core/query (the parser and the in-page
 * evaluator) bundled by esbuild into one browser script that defines the
 * global `mjQuery` (see core/query/page-entry.ts).
 *
 * Two ways to get it, one text: run from source (tsx, tests) or from tsc's
 * output, it is built here with esbuild on first use (esbuild is a
 * devDependency). The installed binary never builds: scripts/bundle.mjs calls
 * buildGalleryQueryScript() at build time and replaces this module in the
 * bundle with the text it made, so an installed mj-tui needs no esbuild.
 */
import {existsSync} from 'node:fs';
import {fileURLToPath} from 'node:url';

/** The page entry beside this module: TypeScript when run from source, JavaScript in tsc's output. */
function pageEntry(): string {
	for (const extension of ['.ts', '.js']) {
		const file = fileURLToPath(new URL(`../query/page-entry${extension}`, import.meta.url));
		if (existsSync(file)) return file;
	}

	throw new Error('core/query/page-entry is missing beside core/export: the gallery search cannot be built');
}

/** Bundle the search engine for the page (the build step of scripts/bundle.mjs, and the source fallback). */
export async function buildGalleryQueryScript(): Promise<string> {
	const {build} = await import('esbuild');
	const result = await build({
		entryPoints: [pageEntry()],
		bundle: true,
		write: false,
		format: 'iife',
		globalName: 'mjQuery',
		platform: 'browser',
		// Browsers of the last few years open the gallery from disk; Unicode property escapes need ES2018.
		target: 'es2020',
		legalComments: 'none',
		// Generated code (the Unicode table is most of it): small beats readable here.
		minify: true,
		logLevel: 'warning',
	});
	return result.outputFiles[0]!.text;
}

let built: Promise<string> | undefined;

/** The bundled search engine's text, built once per process. */
export async function galleryQueryScript(): Promise<string> {
	built ??= buildGalleryQueryScript();
	return built;
}
