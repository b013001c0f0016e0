/** What each command's --help adds after its options: examples that run from the repository root, and the exit codes. */

const EXIT_CODES = `
Exit codes:
  0  no finding at or above --fail-on (waived, baseline and "off" findings do not count)
  1  at least one finding at or above --fail-on
  2  the input could not be used (the message names the file, the line or XML path, and what was expected)
  3  an internal error (a bug in fwmatrix): please report it`;

export const AUDIT_HELP = `
Examples:
  $ fwmatrix audit fixtures/example/fwmatrix.yml
  $ fwmatrix audit fixtures/example/fwmatrix.yml --fail-on high --report sarif=fwmatrix.sarif --report junit=fwmatrix.xml
  $ fwmatrix audit fixtures/example/fwmatrix.yml --firewall core-gw --format markdown -o report.md
  $ fwmatrix audit --config fixtures/example/configs/director01.rules --matrix lync2013-director-single \\
      --role reverse-proxy-internal=192.0.2.10 --role director=198.51.100.11 --role front-end=198.51.100.21-198.51.100.23 \\
      --role internal-clients=203.0.113.0/24 --role edge-internal=192.0.2.20 --host 198.51.100.11
${EXIT_CODES}
  A firewall whose configuration cannot be used is reported (exit 2) while the others are audited.`;

export const DIFF_HELP = `
Examples:
  $ fwmatrix diff fixtures/example/configs/director01.rules director01.new.rules \\
      --deployment fixtures/example/fwmatrix.yml --firewall director01
  $ fwmatrix diff before.rules after.rules --format json
${EXIT_CODES}
  Only findings the change introduces count towards the exit code.`;

export const TRACE_HELP = `
Examples:
  $ fwmatrix trace fixtures/example/configs/director01.rules --from 192.0.2.10 --to 198.51.100.11 --proto tcp --dport 4443
  $ fwmatrix trace --deployment fixtures/example/fwmatrix.yml --firewall core-gw --from 192.0.2.10 --to 198.51.100.11 --proto tcp --dport 4443
  $ echo '{"from":"192.0.2.10","to":"198.51.100.11","proto":"tcp","dport":8080}' | fwmatrix trace fixtures/example/configs/director01.rules --probes -

Exit codes:
  0  traced (with --expect: the verdict is the expected one)
  1  with --expect: the verdict is another one (undetermined never meets an expectation)
  2  the input could not be used
  3  an internal error (a bug in fwmatrix)`;

export const PARSE_HELP = `
Examples:
  $ fwmatrix parse fixtures/example/configs/core-gw.rules | head -20

Exit codes: 0 parsed, 2 the input could not be used, 3 an internal error.`;

export const VALIDATE_HELP = `
Examples:
  $ fwmatrix validate fixtures/example/fwmatrix.yml
  $ fwmatrix validate matrices/lync2013-director-hlb.json

Exit codes: 0 valid, 2 not valid (every problem with its line), 3 an internal error.`;

export const MATRIX_HELP = `
Examples:
  $ fwmatrix matrix list
  $ fwmatrix matrix show lync2013-director-hlb --format json`;
