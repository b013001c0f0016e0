import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { validateFile } from '../../src/app/validate';
import { builtinMatrices, builtinMatrixIds, loadMatrix, type Matrix, type Requirement } from '../../src/matrix';
import { FIXTURES_DIR, REPO_ROOT } from '../helpers/paths';

type Row = [id: string, source: string, destination: string, port: number, from: string, errata: string[]];

/** The spec's table for lync2013-director-single (lync-director-matrix.md), with the errata each row cites. */
const SINGLE_ROWS: Row[] = [
  ['rp-director-http', 'reverse-proxy-internal', 'director', 8080, 'table row 1', ['E5']],
  ['rp-director-https', 'reverse-proxy-internal', 'director', 4443, 'table row 2', []],
  ['director-fe-https', 'director', 'front-end', 444, 'table row 3', []],
  ['clients-director-http', 'internal-clients', 'director', 80, 'table row 4', []],
  ['clients-director-https', 'internal-clients', 'director', 443, 'table row 5', []],
  ['edge-director-sip', 'edge-internal', 'director', 5061, 'table row 6', []],
  ['director-edge-sip', 'director', 'edge-internal', 5061, 'introduction', []],
  ['fe-edge-sip', 'front-end', 'edge-internal', 5061, 'introduction', []],
  ['edge-fe-sip', 'edge-internal', 'front-end', 5061, 'introduction', []],
  ['rp-fe-http', 'reverse-proxy-internal', 'front-end', 8080, 'introduction', ['E5']],
  ['rp-fe-https', 'reverse-proxy-internal', 'front-end', 4443, 'introduction', []],
  ['cls-50001', 'any', 'director', 50001, 'table row 7', ['E1', 'E2']],
  ['cls-50002', 'any', 'director', 50002, 'table row 8', ['E1', 'E2']],
  ['cls-50003', 'any', 'director', 50003, 'table row 9', ['E1', 'E2']],
];

/**
 * The spec's table for lync2013-director-hlb: the client-facing web flows go to the VIP; the
 * 444 row cites E3, the client web rows E6, the rows of the (single-Director) introduction E4.
 */
const HLB_ROWS: Row[] = [
  ['rp-director-http', 'reverse-proxy-internal', 'director-vip', 8080, 'table row 1', ['E5']],
  ['rp-director-https', 'reverse-proxy-internal', 'director-vip', 4443, 'table row 2', []],
  ['director-fe-https', 'director', 'front-end', 444, 'table row 3', ['E3']],
  ['clients-director-http', 'internal-clients', 'director-vip', 80, 'table row 4', ['E6']],
  ['clients-director-https', 'internal-clients', 'director-vip', 443, 'table row 5', ['E6']],
  ['edge-director-sip', 'edge-internal', 'director', 5061, 'table row 6', []],
  ['director-edge-sip', 'director', 'edge-internal', 5061, 'introduction', ['E4']],
  ['fe-edge-sip', 'front-end', 'edge-internal', 5061, 'introduction', ['E4']],
  ['edge-fe-sip', 'edge-internal', 'front-end', 5061, 'introduction', ['E4']],
  ['rp-fe-http', 'reverse-proxy-internal', 'front-end', 8080, 'introduction', ['E4', 'E5']],
  ['rp-fe-https', 'reverse-proxy-internal', 'front-end', 4443, 'introduction', ['E4']],
  ['cls-50001', 'any', 'director', 50001, 'table row 7', ['E1', 'E2']],
  ['cls-50002', 'any', 'director', 50002, 'table row 8', ['E1', 'E2']],
  ['cls-50003', 'any', 'director', 50003, 'table row 9', ['E1', 'E2']],
];

const SOURCES = [
  {
    id: 'port-summary-single-director',
    title: 'Port summary - Single Director in Lync Server 2013',
    seed: '000_74f142eb2eb54ecd.txt',
    repository: 'MicrosoftDocs/OfficeDocs-SkypeForBusiness',
    path: 'Lync/LyncServer/lync-server-2013-port-summary-single-director.md',
    date: '2012-10-20',
  },
  {
    id: 'port-summary-dns-and-hlb-load-balanced',
    title: 'Port summary - DNS and HLB load balanced in Lync Server 2013',
    seed: '001_a973354a387de1d6.txt',
    repository: 'MicrosoftDocs/OfficeDocs-SkypeForBusiness',
    path: 'Lync/LyncServer/lync-server-2013-port-summary-dns-and-hlb-load-balanced.md',
    date: '2015-03-09',
  },
];

const CASES = [
  {
    id: 'lync2013-director-single',
    rows: SINGLE_ROWS,
    document: 'port-summary-single-director',
    roles: ['reverse-proxy-internal', 'director', 'front-end', 'internal-clients', 'edge-internal', 'any'],
  },
  {
    id: 'lync2013-director-hlb',
    rows: HLB_ROWS,
    document: 'port-summary-dns-and-hlb-load-balanced',
    roles: ['reverse-proxy-internal', 'director', 'director-vip', 'front-end', 'internal-clients', 'edge-internal', 'any'],
  },
];

describe('built-in matrices', () => {
  it('are the two Director matrices, as data files in matrices/', () => {
    assert.deepEqual(builtinMatrixIds(), ['lync2013-director-hlb', 'lync2013-director-single']);
    assert.deepEqual(
      builtinMatrices().map((matrix) => [matrix.id, matrix.builtin, matrix.file]),
      builtinMatrixIds().map((id) => [id, true, path.join(REPO_ROOT, 'matrices', `${id}.json`)]),
    );
  });

  for (const { id, rows, document, roles } of CASES) {
    describe(id, () => {
      const matrix = loadMatrix(id);
      const byId = new Map(matrix.requirements.map((requirement) => [requirement.id, requirement]));

      it('validates against schemas/matrix.schema.json', () => {
        assert.deepEqual(validateFile(path.join(REPO_ROOT, 'matrices', `${id}.json`)), { kind: 'matrix', diagnostics: [] });
      });

      it("lists exactly the spec's requirement ids, in the spec's order", () => {
        assert.deepEqual(
          matrix.requirements.map((requirement) => requirement.id),
          rows.map(([requirementId]) => requirementId),
        );
      });

      it('gives each requirement its roles, port, place in the document and errata', () => {
        const project = (r: Requirement) => [r.id, r.source, r.destination, r.ports[0].from, r.from, r.errata];
        assert.deepEqual(matrix.requirements.map(project), rows);
      });

      it('requires new TCP connections to one port each, from any ephemeral client port', () => {
        for (const [requirementId, , , port] of rows) {
          const requirement = byId.get(requirementId)!;
          assert.equal(requirement.protocol, 'tcp', requirementId);
          assert.deepEqual(requirement.ports, [{ from: port, to: port }], requirementId);
          assert.deepEqual(requirement.sourcePorts, [{ from: 1024, to: 65535 }], requirementId);
          assert.equal(requirement.optional, false, `${requirementId}: E5 leaves optional rows to the deployment`);
          assert.equal(requirement.document, document, requirementId);
        }
      });

      it('declares the roles its requirements use, with any built in', () => {
        assert.deepEqual(
          matrix.roles.map((role) => [role.id, role.builtin]),
          roles.map((role) => [role, role === 'any']),
        );
        for (const role of matrix.roles) assert.ok(role.title.length > 0 && role.description!.length > 0, role.id);
      });

      it('carries all six errata and both source documents', () => {
        assert.deepEqual(
          matrix.errata.map((erratum) => erratum.id),
          ['E1', 'E2', 'E3', 'E4', 'E5', 'E6'],
        );
        for (const erratum of matrix.errata) assert.ok(erratum.title.length > 0 && erratum.text.length > 0, erratum.id);
        assert.deepEqual(matrix.sources, SOURCES);
      });

      it('describes every row with the words of its document', () => {
        for (const requirement of matrix.requirements) {
          assert.ok(requirement.description.length > 0, requirement.id);
          assert.ok(requirement.notes, requirement.id);
          assert.ok(requirement.asWritten, requirement.id);
          const writtenPort = Number(/(\d+)$/.exec(requirement.asWritten.protocolPort)?.[1]);
          assert.equal(writtenPort, requirement.ports[0].from, `${requirement.id}: ${requirement.asWritten.protocolPort}`);
        }
      });
    });
  }

  it('the errata read the same in both matrices', () => {
    const [hlb, single] = builtinMatrices();
    assert.deepEqual(hlb.errata, single.errata);
  });

  it('keep the copy error E1 visible: the single-Director document names the Edge Server', () => {
    const single = loadMatrix('lync2013-director-single');
    const hlb = loadMatrix('lync2013-director-hlb');
    for (const id of ['cls-50001', 'cls-50002', 'cls-50003']) {
      const [singleRow, hlbRow] = [single, hlb].map((matrix) => matrix.requirements.find((r) => r.id === id)!);
      assert.equal(singleRow.destination, 'director');
      assert.equal(singleRow.asWritten?.destination, 'Edge Server internal interface');
      assert.equal(hlbRow.asWritten?.destination, 'Director');
      assert.match(singleRow.notes!, /ClasAgent\.exe/); // E2, as written
      assert.match(hlbRow.notes!, /ClsAgent\.exe/);
    }
  });
});

/** The source documents, kept with the fixtures; the rows must quote them exactly. */
const SEEDS_DIR = path.join(FIXTURES_DIR, 'seeds');

describe('built-in matrices quote their source documents', () => {
  /** The table's rows: [protocol/port, source, destination, notes]. */
  function tableRows(matrix: Matrix, document: string): string[][] {
    const seed = matrix.sources.find((source) => source.id === document)!.seed!;
    const text = fs.readFileSync(path.join(SEEDS_DIR, seed), 'utf8');
    if (seed.endsWith('.txt') && !text.includes('|')) {
      // Plain text: after the header line, one cell a line.
      const cells = text
        .split('\n')
        .map((line) => line.trim())
        .filter((line) => line !== '');
      const header = cells.findIndex((line) => line.startsWith('Role/Protocol/TCP or UDP/Port'));
      const body = cells.slice(header + 1);
      return Array.from({ length: body.length / 4 }, (_, i) => body.slice(4 * i, 4 * i + 4));
    }
    // Markdown: | cell | cell | … |, after the header and the separator.
    return text
      .split('\n')
      .filter((line) => line.startsWith('|'))
      .slice(2)
      .map((line) =>
        line
          .split('|')
          .slice(1, -1)
          .map((cell) => cell.replace(/<br\/>/g, '').trim()),
      );
  }

  function introduction(matrix: Matrix, document: string): string {
    const seed = matrix.sources.find((source) => source.id === document)!.seed!;
    const paragraphs = fs
      .readFileSync(path.join(SEEDS_DIR, seed), 'utf8')
      .split('\n')
      .filter((line) => line.startsWith('Firewall port requirements'));
    return paragraphs[paragraphs.length - 1];
  }

  for (const { id, document } of CASES) {
    it(`${id}: each table row is one requirement, quoted verbatim`, () => {
      const matrix = loadMatrix(id);
      const rows = tableRows(matrix, document);
      assert.equal(rows.length, 9);
      rows.forEach((cells, index) => {
        const requirement = matrix.requirements.find((r) => r.from === `table row ${index + 1}`);
        assert.ok(requirement, `table row ${index + 1}`);
        const { protocolPort, source, destination } = requirement.asWritten!;
        assert.deepEqual([protocolPort, source, destination, requirement.notes], cells, requirement.id);
      });
    });

    it(`${id}: each introduction row quotes its sentence`, () => {
      const matrix = loadMatrix(id);
      const text = introduction(matrix, document);
      const introductionRows = matrix.requirements.filter((r) => r.from === 'introduction');
      assert.equal(introductionRows.length, 5);
      for (const requirement of introductionRows) {
        assert.ok(text.includes(requirement.notes!), requirement.id);
        const { protocolPort, source, destination } = requirement.asWritten!;
        for (const words of [protocolPort, source, destination])
          assert.ok(requirement.notes!.includes(words), `${requirement.id}: ${words}`);
      }
    });
  }
});
