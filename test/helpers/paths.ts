import * as fs from 'node:fs';
import * as path from 'node:path';

/** The repository's root: the nearest folder above this file whose package.json is fwmatrix's. */
function findRepoRoot(start: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (fs.existsSync(manifest) && JSON.parse(fs.readFileSync(manifest, 'utf8')).name === 'fwmatrix') return dir;
    if (path.dirname(dir) === dir) throw new Error(`no fwmatrix package.json above ${start}`);
  }
}

export const REPO_ROOT = findRepoRoot(__dirname);
export const FIXTURES_DIR = path.join(REPO_ROOT, 'fixtures');
/** Real public configurations, copied byte for byte (fixtures/real/SOURCES.md says from where). */
export const REAL_CONFIGS_DIR = path.join(FIXTURES_DIR, 'real');
