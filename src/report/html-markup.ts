/** Building blocks of the HTML report. Every report string goes through `text` (or `escapeHtml` in attributes); the helpers take HTML already escaped. */

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** Tokens up to this long (a SHA-256 in hex, most paths) are never split; longer ones may break anywhere. */
const LONG_TOKEN = 64;

/**
 * Report text as HTML: escaped, each token longer than LONG_TOKEN marked `long` so that it alone
 * may break anywhere (a table can then narrow it instead of running off the page).
 */
export function text(value: string): string {
  return value
    .split(/(\s+)/)
    .map((part) => (part.length > LONG_TOKEN ? `<span class="long">${escapeHtml(part)}</span>` : escapeHtml(part)))
    .join('');
}

export function code(value: string): string {
  return `<code>${text(value)}</code>`;
}

/** Attributes from names to values (escaped here); `undefined` values are left out. */
export function attributes(attrs: Readonly<Record<string, string | undefined>>): string {
  return Object.entries(attrs)
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    .map(([name, value]) => ` ${name}="${escapeHtml(value)}"`)
    .join('');
}

export function element(tag: string, attrs: Readonly<Record<string, string | undefined>>, content: string): string {
  return `<${tag}${attributes(attrs)}>${content}</${tag}>`;
}

/** A header cell per column (plain text) and rows of cells (HTML: `<td>`/`<th>` elements). */
export function table(header: readonly string[], rows: readonly string[][], className?: string): string {
  const head = `<tr>${header.map((h) => `<th scope="col">${text(h)}</th>`).join('')}</tr>`;
  const body = rows.map((cells) => `<tr>${cells.join('')}</tr>`).join('\n');
  return `<table${attributes({ class: className })}>\n<thead>${head}</thead>\n<tbody>\n${body}\n</tbody>\n</table>`;
}

/** A cell; `content` is HTML already escaped by the caller. */
export function cell(content: string, className?: string): string {
  return element('td', { class: className }, content);
}

export function section(id: string, title: string, content: readonly string[]): string {
  return [`<section id="${escapeHtml(id)}">`, `<h2>${text(title)}</h2>`, ...content, '</section>'].join('\n');
}

/** "1 finding", "2 findings". */
export function counted(n: number, singular: string, plural = `${singular}s`): string {
  return `${n} ${n === 1 ? singular : plural}`;
}
