/** `fwmatrix validate FILE`. */
import { validateFile } from '../app/validate';
import { formatDiagnostic } from '../model/errors';

export function validateCommand(file: string): { text: string; ok: boolean } {
  const result = validateFile(file);
  if (result.diagnostics.length === 0) return { text: `${file}: a valid ${result.kind} file\n`, ok: true };
  return { text: result.diagnostics.map((d) => `fwmatrix: ${formatDiagnostic(d)}\n`).join(''), ok: false };
}
