/** The vendor registry is the one list of input formats: the schemas, detection and deployment options agree with it. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REAL_CONFIGS_DIR, REPO_ROOT } from '../helpers/paths';
import { CONFIG_TYPES, FORMATS, detectFormat, readConfigText, vendorOptions } from '../../src/normalize';

function schema(name: string): {
  $defs: Record<string, { properties?: Record<string, { enum?: string[] }> }>;
  properties: Record<string, unknown>;
} {
  return JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'schemas', `${name}.schema.json`), 'utf8'));
}

test('type ids are unique and both schemas enumerate exactly the registry', () => {
  assert.equal(new Set(CONFIG_TYPES).size, CONFIG_TYPES.length);
  const deploymentTypes = schema('deployment').$defs.firewall.properties!.type.enum!;
  const reportTypes = (schema('report').properties.firewalls as { items: { properties: { type: { enum: string[] } } } }).items.properties
    .type.enum;
  assert.deepEqual([...deploymentTypes].sort(), [...CONFIG_TYPES].sort(), 'deployment.schema.json firewall type');
  assert.deepEqual([...reportTypes].sort(), [...CONFIG_TYPES].sort(), 'report.schema.json firewall type');
});

test('every vendor option is a firewall property of the deployment schema', () => {
  const properties = schema('deployment').$defs.firewall.properties!;
  for (const [name, option] of vendorOptions())
    assert.ok(name in properties, `${name} (${option.types.join(', ')}) is in the deployment schema`);
});

test('every real configuration is detected as the format of its folder', () => {
  const folderTypes: Record<string, string[]> = {
    iptables: ['iptables'],
    pfsense: ['pfsense', 'opnsense'],
    windows: ['windows-gpo', 'windows-reg'],
  };
  for (const [folder, types] of Object.entries(folderTypes)) {
    for (const name of fs.readdirSync(path.join(REAL_CONFIGS_DIR, folder))) {
      const file = path.join(REAL_CONFIGS_DIR, folder, name);
      assert.ok(types.includes(detectFormat(readConfigText(file), file).type), `${folder}/${name}`);
    }
  }
  assert.ok(FORMATS.every((f) => f.title.length > 0));
});
