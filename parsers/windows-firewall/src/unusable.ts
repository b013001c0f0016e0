/**
 * Files that come from Windows Firewall but hold the policy in a form this package cannot read,
 * recognized from their first bytes so that the message can say what to export instead.
 */

const WHAT_TO_EXPORT =
  'export the policy as XML with Get-GPOReport -ReportType Xml (or gpresult /x for RSoP), or as text with reg export HKLM\\SOFTWARE\\Policies\\Microsoft\\WindowsFirewall (the policy store) or HKLM\\SYSTEM\\CurrentControlSet\\Services\\SharedAccess\\Parameters\\FirewallPolicy (the local store)';

/** The start of the file as text: UTF-16LE with a byte-order mark or UTF-8 (binary magic survives either way). */
function headText(input: Uint8Array | string): string {
  if (typeof input === 'string') return input.slice(0, 4096);
  const head = input.subarray(0, 4096);
  if (head[0] === 0xff && head[1] === 0xfe) return Buffer.from(head.subarray(2)).toString('utf16le');
  return Buffer.from(head).toString('latin1');
}

/**
 * Why a file from Windows cannot be read, with what to export instead; undefined for anything
 * else. Takes the file's bytes, or its text as already decoded.
 */
export function recognizeUnusableExport(input: Uint8Array | string): string | undefined {
  const raw = headText(input);
  if (raw.startsWith('regf')) {
    return `this is a binary registry hive (what netsh advfirewall export writes as a .wfw file), which cannot be read as text: ${WHAT_TO_EXPORT}`;
  }
  if (raw.startsWith('PReg')) {
    return `this is a binary Registry.pol file (a GPO's registry settings), which cannot be read as text: ${WHAT_TO_EXPORT}`;
  }
  const head = raw.replace(/^\uFEFF/, '').trimStart();
  if (/^<(!DOCTYPE\s+)?html[\s>]/i.test(head)) {
    return `this is an HTML report; fwmatrix reads Group Policy reports as XML: ${WHAT_TO_EXPORT}`;
  }
  if (/^<Objs[\s>]/.test(head) && head.includes('http://schemas.microsoft.com/powershell/2004/04')) {
    return `this is PowerShell Export-Clixml output (for example of Get-NetFirewallRule), which does not hold the rules as Windows stores them: ${WHAT_TO_EXPORT}`;
  }
  if (/^Rule Name:/m.test(head.slice(0, 2048))) {
    return `this is netsh advfirewall firewall show rule output, which leaves out rule details: ${WHAT_TO_EXPORT}`;
  }
  return undefined;
}
