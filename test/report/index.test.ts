/** renderReport: the formats of contracts.md, each rendered by its own module. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { REPORT_FORMATS, renderReport } from '../../src/report';
import { renderJson } from '../../src/report/json';
import { renderText } from '../../src/report/text';
import { exampleReport } from './support';

test('the formats are those of --format in the contract', () => {
  assert.deepEqual(REPORT_FORMATS, ['text', 'json', 'sarif', 'junit', 'markdown', 'html']);
});

test('text and json are the existing reports; each format renders differently', async () => {
  const report = await exampleReport();
  assert.equal(renderReport(report, 'text', { color: false }), renderText(report, { color: false }));
  assert.equal(renderReport(report, 'json', { color: false }), renderJson(report));
  assert.deepEqual(JSON.parse(renderReport(report, 'json', { color: false })), report);
  const outputs = REPORT_FORMATS.map((format) => renderReport(report, format, { color: false }));
  assert.equal(new Set(outputs).size, REPORT_FORMATS.length);
  for (const output of outputs) assert.ok(output.endsWith('\n'));
});
