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
/** ../shared beside the clone: seeds, spec and the real configurations. */
export const SHARED_DIR = path.resolve(REPO_ROOT, '..', 'shared');
export const REAL_CONFIGS_DIR = path.join(SHARED_DIR, 'real-configs');
export const FIXTURES_DIR = path.join(REPO_ROOT, 'fixtures');
