import * as fs from 'node:fs';
import * as path from 'node:path';

/** The package's version, read from the package.json above the compiled file. */
function readVersion(): string {
  for (let dir = __dirname; path.dirname(dir) !== dir; dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (fs.existsSync(manifest)) {
      const pkg = JSON.parse(fs.readFileSync(manifest, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'fwmatrix' && pkg.version) return pkg.version;
    }
  }
  return '0.0.0';
}

export const VERSION = readVersion();
