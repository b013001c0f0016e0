import * as fs from 'node:fs';
import * as path from 'node:path';

let root: string | undefined;

/**
 * The fwmatrix package's root folder, found by walking up from this file (it runs from
 * dist/src/matrix/ or from an installed package): the schemas and the built-in matrices are data
 * files there, and the current directory can be anything.
 */
export function packageRoot(): string {
  root ??= findPackageRoot(__dirname);
  return root;
}

function findPackageRoot(start: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (fs.existsSync(manifest) && JSON.parse(fs.readFileSync(manifest, 'utf8')).name === 'fwmatrix') return dir;
    if (path.dirname(dir) === dir) throw new Error(`fwmatrix's package.json was not found above ${start}`);
  }
}
