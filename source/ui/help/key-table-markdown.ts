/**
 * The key table as Markdown for docs/tui.md. A test compares the doc with
 * this output, so the documented keys are always the keys the app runs.
 * Print it with: npx tsx -e "import('./source/ui/help/key-table-markdown.ts').then(m => console.log(m.keyTableMarkdown()))"
 */
import {bindingsIn, helpSections} from '../keys.js';

/** One Markdown table per help section: keys and what they do. */
export function keyTableMarkdown(): string {
	const parts: string[] = [];
	for (const section of helpSections) {
		parts.push(`### ${section.title}`, '', '| Keys | Does |', '| --- | --- |');
		for (const binding of bindingsIn(section.scope)) parts.push(`| \`${binding.label.replace(/\|/g, '\\|')}\` | ${binding.description} |`);
		parts.push('');
	}
	return parts.join('\n');
}
