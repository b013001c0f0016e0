import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { loadConfig } from '../../src/normalize/load';
import { modelJsonChunks } from '../../src/report/model';
import { REPO_ROOT } from '../helpers/paths';

const CONFIGS = [
  path.join(REPO_ROOT, 'fixtures', 'example', 'configs', 'director01.rules'),
  path.join(REPO_ROOT, 'test', 'windows', 'fixtures', 'configs', 'director01-gpo.xml'),
];

describe('loading without syntax trees', () => {
  it('leaves out the trees and nothing else of the model an audit reads', () => {
    for (const config of CONFIGS) {
      const full = loadConfig([config]);
      const lean = loadConfig([config], { trees: false });
      assert.ok(full.trees.length > 0, config);
      assert.deepEqual(lean.trees, [], config);
      const model = (loaded: typeof full): unknown => ({ ...JSON.parse([...modelJsonChunks(loaded)].join('')), trees: undefined });
      assert.deepEqual(model(lean), model(full), config);
    }
  });
});
