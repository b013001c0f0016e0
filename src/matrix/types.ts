/** A port matrix: the flows a product needs through firewalls, as data (see schemas/matrix.schema.json). */

export interface Matrix {
  id: string;
  /** The matrix's own version, which reports record (a change to a requirement is a new version). */
  version?: string;
  title: string;
  description: string;
  /** The documents the requirements and errata refer to. */
  sources: SourceDocument[];
  roles: Role[];
  errata: Erratum[];
  requirements: Requirement[];
  /** The file the matrix was read from (absolute). */
  file: string;
  /** One of the matrices that come with fwmatrix. */
  builtin: boolean;
}

export interface SourceDocument {
  id: string;
  title: string;
  /** The file name of the copy kept with the project's specification. */
  seed?: string;
  /** The upstream repository (GitHub owner/name) and the document's path in it. */
  repository?: string;
  path?: string;
  /** The document's date as it states it, YYYY-MM-DD. */
  date?: string;
}

export interface Role {
  id: string;
  title: string;
  description?: string;
  /** Its addresses come from fwmatrix, not from the deployment: only `any`. */
  builtin: boolean;
}

export interface Erratum {
  /** E1, E2, … */
  id: string;
  title: string;
  text: string;
}

/** An inclusive range of ports; a single port has from === to. */
export interface PortRange {
  from: number;
  to: number;
}

/** A required flow: new connections from the source role to the destination role. */
export interface Requirement {
  id: string;
  /** Role ids. */
  source: string;
  destination: string;
  protocol: 'tcp' | 'udp';
  /** Destination ports. */
  ports: PortRange[];
  /** Source ports; the ephemeral range 1024-65535 unless the matrix says otherwise. */
  sourcePorts: PortRange[];
  /** What the flow is for. */
  description: string;
  /** The document's own words about the row: its Notes column, or the sentence it comes from. */
  notes?: string;
  /** The id of the source document. */
  document?: string;
  /** Where in the document: "table row 3", "introduction". */
  from?: string;
  /** The document's columns for the row, verbatim. */
  asWritten?: { protocolPort: string; source: string; destination: string };
  /** Ids of the errata that concern the row. */
  errata: string[];
  /** Not required by the matrix itself (a deployment may also mark requirements optional). */
  optional: boolean;
}
