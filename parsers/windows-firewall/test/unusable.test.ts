import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { recognizeUnusableExport } from '../src';
import { readRealBytes } from './helpers';

const utf16 = (text: string): Buffer => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);

describe('exports that cannot be read, recognized with what to export instead', () => {
  it('names a netsh advfirewall export (.wfw: a binary registry hive)', () => {
    const wfw = Buffer.concat([Buffer.from('regf'), Buffer.alloc(508)]);
    const message = recognizeUnusableExport(wfw);
    assert.match(message ?? '', /binary registry hive \(what netsh advfirewall export writes as a \.wfw file\)/);
    assert.match(message ?? '', /Get-GPOReport -ReportType Xml .* reg export HKLM\\SOFTWARE\\Policies\\Microsoft\\WindowsFirewall/);
  });

  it('names a Registry.pol, an HTML GPO report, Export-Clixml output and netsh show rule output', () => {
    assert.match(
      recognizeUnusableExport(Buffer.concat([Buffer.from('PReg'), Buffer.from([1, 0, 0, 0])])) ?? '',
      /binary Registry\.pol file/,
    );
    assert.match(
      recognizeUnusableExport(utf16('<html dir="ltr" xmlns:v="urn:schemas-microsoft-com:vml">')) ?? '',
      /an HTML report; fwmatrix reads Group Policy reports as XML/,
    );
    assert.match(
      recognizeUnusableExport(Buffer.from('<Objs Version="1.1.0.1" xmlns="http://schemas.microsoft.com/powershell/2004/04">')) ?? '',
      /PowerShell Export-Clixml output/,
    );
    assert.match(
      recognizeUnusableExport(Buffer.from('\r\nRule Name:                            Core Networking - Teredo (UDP-In)\r\n')) ?? '',
      /netsh advfirewall firewall show rule output/,
    );
  });

  it('says nothing about the exports it reads', () => {
    for (const file of [
      'reg_policy_store_gsecurity.reg',
      'gporeport_sn_domain_firewall_baseline.xml',
      'rsop_win11_24h2_msft_baseline.xml',
    ]) {
      assert.equal(recognizeUnusableExport(readRealBytes(file)), undefined, file);
    }
    assert.equal(recognizeUnusableExport(Buffer.from('v2.31|Action=Allow|Dir=In|\n')), undefined);
    assert.equal(recognizeUnusableExport(Buffer.alloc(0)), undefined);
  });
});

describe('the same checks on text already decoded', () => {
  it('recognizes a hive read as text, and an HTML report decoded from UTF-16', () => {
    assert.match(
      recognizeUnusableExport(Buffer.concat([Buffer.from('regf'), Buffer.alloc(64, 7)]).toString('utf8')) ?? '',
      /binary registry hive/,
    );
    assert.match(recognizeUnusableExport('\uFEFF<html><body>GPO</body></html>') ?? '', /an HTML report/);
    assert.equal(recognizeUnusableExport('Windows Registry Editor Version 5.00\r\n'), undefined);
  });
});
