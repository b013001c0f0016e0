/** The JSON of `fwmatrix parse`: a configuration's syntax trees and the normalized model it compiles to. */
import { formatRanges } from '../packetset';
import type { LoadedConfig } from '../normalize/load';
import { jsonChunks } from './json-chunks';

export function renderModelJson(loaded: LoadedConfig): string {
  return [...modelJsonChunks(loaded)].join('');
}

/** The model's JSON in pieces, for a model longer than one string can be. */
export function modelJsonChunks(loaded: LoadedConfig): Generator<string> {
  const model = {
    type: loaded.type,
    files: loaded.files,
    warnings: loaded.warnings,
    interfaces: loaded.interfaces.map((i) => ({
      name: i.name,
      networks: [...formatRanges(4, i.networks[4]), ...formatRanges(6, i.networks[6])],
    })),
    trees: loaded.trees,
    programs: loaded.programs.map((p) => ({
      family: p.family,
      file: p.file,
      rules: p.ruleCount,
      points: p.points,
      chains: [...p.chains.values()].map((c) => ({
        name: c.name,
        title: c.title,
        ...(c.table !== undefined ? { table: c.table } : {}),
        order: c.order,
        policy: c.policy ?? null,
        rules: c.rules.map((r) => ({
          id: r.id,
          line: r.source.line,
          ...(r.source.path ? { path: r.source.path } : {}),
          text: r.source.text,
          ...(r.group !== undefined ? { group: r.group } : {}),
          action: r.action,
          undetermined: r.match.uncertain,
        })),
      })),
    })),
  };
  // Syntax trees may hold bigints (IPv6 addresses) and Maps: both as JSON can say them.
  return (function* (): Generator<string> {
    yield* jsonChunks(model, (_key, value: unknown) =>
      typeof value === 'bigint' ? value.toString() : value instanceof Map ? Object.fromEntries(value) : value,
    );
    yield '\n';
  })();
}
