/**
 * The static files of the HTML gallery. The page script reads the jobs from a
 * `<script type="application/json">` data block and builds every element with
 * createElement/textContent: prompt text never passes through an HTML parser,
 * so `<script>` or `"><img onerror=...>` in a prompt shows as text. Search
 * goes through `mjQuery`, the search language's engine bundled before this
 * script in gallery.js (gallery-query-script.ts).
 */

/** Tiles added to the grid per page while scrolling: keeps 100,000 images cheap to open. */
export const tilesPerPage = 120;

export const galleryCss = `
:root { color-scheme: dark; --bg: #111; --fg: #eee; --muted: #999; --card: #1c1c1c; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.4 system-ui, sans-serif; background: var(--bg); color: var(--fg); }
header { position: sticky; top: 0; z-index: 2; display: flex; flex-wrap: wrap; gap: 8px; align-items: center; padding: 10px 16px; background: #181818; border-bottom: 1px solid #333; }
header h1 { font-size: 16px; margin: 0 12px 0 0; }
header input, header select { background: #222; color: var(--fg); border: 1px solid #444; border-radius: 4px; padding: 6px 8px; }
header input[type=search] { flex: 1 1 240px; }
#count { color: var(--muted); margin-left: auto; }
#grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(180px, 1fr)); gap: 8px; padding: 16px; }
.tile { margin: 0; padding: 0; border: 0; background: var(--card); border-radius: 6px; overflow: hidden; cursor: pointer; aspect-ratio: 1; }
.tile img { width: 100%; height: 100%; object-fit: cover; display: block; }
#sentinel { height: 1px; }
#lightbox { position: fixed; inset: 0; z-index: 3; display: grid; grid-template-columns: minmax(0, 2fr) minmax(260px, 1fr); background: rgba(0,0,0,.92); }
#lightbox[hidden] { display: none; }
#lb-figure { margin: 0; display: flex; align-items: center; justify-content: center; padding: 16px; min-height: 0; }
#lb-image { max-width: 100%; max-height: calc(100vh - 32px); object-fit: contain; }
#lb-side { overflow: auto; padding: 16px; border-left: 1px solid #333; }
#lb-prompt { white-space: pre-wrap; word-break: break-word; font-size: 15px; }
#lb-command { white-space: pre-wrap; word-break: break-word; color: var(--muted); font-family: ui-monospace, monospace; font-size: 12px; }
#lb-params { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; }
#lb-params dt { color: var(--muted); }
#lb-params dd { margin: 0; word-break: break-word; }
#lb-side nav { display: flex; gap: 8px; margin-bottom: 12px; }
button { background: #2a2a2a; color: var(--fg); border: 1px solid #444; border-radius: 4px; padding: 4px 10px; cursor: pointer; }
`;

export const galleryScript = `'use strict';
(function () {
	var data = JSON.parse(document.getElementById('gallery-data').textContent);
	var tiles = [];
	data.jobs.forEach(function (job) {
		job.images.forEach(function (image) { tiles.push({job: job, image: image}); });
	});
	var grid = document.getElementById('grid');
	var sentinel = document.getElementById('sentinel');
	var search = document.getElementById('search');
	var typeSelect = document.getElementById('type');
	var versionSelect = document.getElementById('version');
	var aspectSelect = document.getElementById('aspect');
	var likedSelect = document.getElementById('liked');
	var count = document.getElementById('count');
	var lightbox = document.getElementById('lightbox');
	var shown = [];
	var rendered = 0;
	var current = -1;

	// The model version and aspect ratio as the archive derives them (what --v and --ar filter on).
	data.jobs.forEach(function (job) {
		job._search = mjQuery.queryDocument(job);
		job._version = job._search.modelVersion || '';
		job._aspect = job._search.aspectRatio || '';
	});

	function fillSelect(select, values) {
		Array.from(new Set(values)).filter(Boolean).sort().forEach(function (value) {
			var option = document.createElement('option');
			option.value = value;
			option.textContent = value;
			select.appendChild(option);
		});
	}
	fillSelect(typeSelect, data.jobs.map(function (job) { return job.job_type; }));
	fillSelect(versionSelect, data.jobs.map(function (job) { return job._version; }));
	fillSelect(aspectSelect, data.jobs.map(function (job) { return job._aspect; }));

	function matches(job, matcher) {
		if (typeSelect.value && job.job_type !== typeSelect.value) return false;
		if (versionSelect.value && job._version !== versionSelect.value) return false;
		if (aspectSelect.value && job._aspect !== aspectSelect.value) return false;
		if (likedSelect.value && String(Boolean(job.liked)) !== likedSelect.value) return false;
		return !matcher || matcher(job._search);
	}

	function renderPage() {
		var end = Math.min(shown.length, rendered + ${tilesPerPage});
		var fragment = document.createDocumentFragment();
		for (; rendered < end; rendered++) {
			var index = rendered;
			var tile = shown[index];
			var button = document.createElement('button');
			button.className = 'tile';
			button.type = 'button';
			button.dataset.index = String(index);
			button.dataset.job = tile.job.id;
			button.dataset.liked = tile.job.liked ? 'true' : 'false';
			button.title = tile.job.prompt;
			var img = document.createElement('img');
			img.loading = 'lazy';
			img.decoding = 'async';
			img.alt = tile.job.prompt;
			img.src = tile.image.thumb || tile.image.full;
			button.appendChild(img);
			fragment.appendChild(button);
		}
		grid.appendChild(fragment);
	}

	function applyFilters() {
		// The language of mj-tui search, typed: the last word is a prefix until a space ends it.
		var matcher = mjQuery.typedMatcher(search.value);
		// Once per job, not per image: a job's four images share the answer.
		data.jobs.forEach(function (job) { job._shown = matches(job, matcher); });
		shown = tiles.filter(function (tile) { return tile.job._shown; });
		grid.replaceChildren();
		rendered = 0;
		renderPage();
		count.textContent = shown.length + ' of ' + tiles.length + ' images';
	}

	function field(list, name, value) {
		var dt = document.createElement('dt');
		dt.textContent = name;
		var dd = document.createElement('dd');
		dd.textContent = value;
		list.appendChild(dt);
		list.appendChild(dd);
	}

	function open(index) {
		if (index < 0 || index >= shown.length) return;
		current = index;
		var tile = shown[index];
		var job = tile.job;
		document.getElementById('lb-image').src = tile.image.full;
		document.getElementById('lb-image').alt = job.prompt;
		document.getElementById('lb-prompt').textContent = job.prompt;
		document.getElementById('lb-command').textContent = job.full_command;
		var params = document.getElementById('lb-params');
		params.replaceChildren();
		field(params, 'job', job.id);
		field(params, 'image', String(tile.image.index));
		field(params, 'date', job.enqueue_time);
		field(params, 'type', job.job_type + ' / ' + job.event_type);
		field(params, 'size', job.width + ' x ' + job.height);
		if (job.liked) field(params, 'liked', 'yes');
		Object.keys(job.parameters || {}).forEach(function (name) {
			var value = job.parameters[name];
			field(params, '--' + name, value === true ? 'on' : String(value));
		});
		var link = document.getElementById('lb-open');
		link.href = tile.image.full;
		lightbox.hidden = false;
		document.getElementById('lb-close').focus();
	}
	function close() {
		lightbox.hidden = true;
		current = -1;
	}

	grid.addEventListener('click', function (event) {
		var button = event.target.closest('.tile');
		if (button) open(Number(button.dataset.index));
	});
	document.getElementById('lb-close').addEventListener('click', close);
	document.getElementById('lb-prev').addEventListener('click', function () { open(current - 1); });
	document.getElementById('lb-next').addEventListener('click', function () { open(current + 1); });
	lightbox.addEventListener('click', function (event) { if (event.target === lightbox) close(); });
	document.addEventListener('keydown', function (event) {
		if (lightbox.hidden) return;
		if (event.key === 'Escape') close();
		else if (event.key === 'ArrowLeft') open(current - 1);
		else if (event.key === 'ArrowRight') open(current + 1);
	});
	search.addEventListener('input', applyFilters);
	[typeSelect, versionSelect, aspectSelect, likedSelect].forEach(function (select) { select.addEventListener('change', applyFilters); });

	new IntersectionObserver(function (entries) {
		if (entries.some(function (entry) { return entry.isIntersecting; })) renderPage();
	}, {rootMargin: '800px'}).observe(sentinel);
	applyFilters();
	document.body.dataset.ready = 'true';
})();
`;

/** The page around the data block; `title` and `generated` are plain text we control. */
export function galleryHtmlHead(title: string): string {
	return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src 'self' file: data:; style-src 'self' file:; script-src 'self' file:">
<title>${title}</title>
<link rel="stylesheet" href="gallery.css">
</head>
<body>
<header>
<h1>${title}</h1>
<input id="search" type="search" placeholder="Search: lighthouse &quot;basalt cliff&quot; light* OR fox -snow --ar 16:9 type:upscale" title="The language of mj-tui search: words, &quot;phrases&quot;, prefix*, OR, NOT or -word, --ar/--v/--stylize filters, type: and id:" aria-label="Search prompts" autocomplete="off">
<select id="type" aria-label="Job type"><option value="">All types</option></select>
<select id="version" aria-label="Model version"><option value="">All versions</option></select>
<select id="aspect" aria-label="Aspect ratio"><option value="">All aspect ratios</option></select>
<select id="liked" aria-label="Liked"><option value="">Liked or not</option><option value="true">Liked</option><option value="false">Not liked</option></select>
<span id="count"></span>
</header>
<main id="grid"></main>
<div id="sentinel"></div>
<div id="lightbox" hidden>
<figure id="lb-figure"><img id="lb-image" alt=""></figure>
<aside id="lb-side">
<nav><button id="lb-prev" type="button">&larr; Prev</button><button id="lb-next" type="button">Next &rarr;</button><a id="lb-open" target="_blank" rel="noopener">Full size</a><button id="lb-close" type="button">Close</button></nav>
<p id="lb-prompt"></p>
<p id="lb-command"></p>
<dl id="lb-params"></dl>
</aside>
</div>
<script type="application/json" id="gallery-data">`;
}

export const galleryHtmlTail = `</script>
<script src="gallery.js"></script>
</body>
</html>
`;

/** JSON safe inside a `<script>` data block: no `<` (so no `</script>` or `<!--`), and no U+2028/2029. */
export function scriptSafeJson(value: unknown): string {
	return JSON.stringify(value).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}
