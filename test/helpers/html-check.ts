/** The HTML report checked as the standard has it (content models, attributes, ids, a document's parts). */
import assert from 'node:assert/strict';
import { XMLValidator } from 'fast-xml-parser';
import { HtmlValidate } from 'html-validate';

/**
 * Off: void elements are self-closed on purpose (XHTML-compatible, so an XML check catches broken
 * tags), grid column widths are inline styles, as many as the report has columns, and the title
 * names the matrix in words however long (a search engine's advice, not the standard's).
 */
export const htmlValidator = new HtmlValidate({
  extends: ['html-validate:recommended', 'html-validate:document'],
  rules: { 'void-style': 'off', 'no-inline-style': 'off', 'long-title': 'off' },
});

/** Asserts the page is well-formed XML and valid HTML. */
export function assertValidHtml(html: string): void {
  const wellFormed = XMLValidator.validate(html);
  assert.equal(wellFormed, true, JSON.stringify(wellFormed));
  const checked = htmlValidator.validateStringSync(html);
  assert.ok(
    checked.valid,
    checked.results.flatMap((r) => r.messages.map((m) => `${m.line}:${m.column} ${m.ruleId}: ${m.message}`)).join('\n'),
  );
}
