import { describe, expect, it } from 'vitest';
import { firstSentence, hasKeyword, parseDay, parseTime, productOf, productOfCpe } from './text.js';

describe('text helpers', () => {
  it('parses calendar dates and ISO times, UTC when no zone is given', () => {
    expect(parseDay('2007-04-12')).toBe(Date.UTC(2007, 3, 12));
    expect(parseDay('2007-02-29')).toBeNull();
    expect(parseDay('2007-4-12')).toBeNull();
    expect(parseTime('2007-04-13T18:19:00.000')).toBe(Date.UTC(2007, 3, 13, 18, 19));
    expect(parseTime('2007-04-13T18:19:00+02:00')).toBe(Date.UTC(2007, 3, 13, 16, 19));
    expect(parseTime('2007-04-13T24:00:00')).toBeNull();
    expect(parseTime('yesterday')).toBeNull();
  });

  it('makes vendor:product names from KEV names and CPE 2.3 strings', () => {
    expect(productOf('Synacor', 'Zimbra Collaboration Suite (ZCS)')).toBe(
      'synacor:zimbra_collaboration_suite_zcs',
    );
    expect(productOf('SimpleHelp ', 'SimpleHelp')).toBe('simplehelp:simplehelp');
    expect(productOf(' ', 'x')).toBeNull();
    expect(productOfCpe('cpe:2.3:o:microsoft:windows_2000:*:sp4:*:*:*:*:*:*')).toBe('microsoft:windows_2000');
    expect(productOfCpe('cpe:2.3:a:acme:big\\:app:1:*:*:*:*:*:*:*')).toBe('acme:big_app');
    expect(productOfCpe('cpe:2.3:a:*:*:*')).toBeNull();
    expect(productOfCpe('cpe:/o:microsoft:windows')).toBeNull();
  });

  it('matches keywords as whole words', () => {
    expect(hasKeyword('overflow in the RPC interface', 'rpc')).toBe(true);
    expect(hasKeyword('a gRPC flaw', 'RPC')).toBe(false);
    expect(hasKeyword('Windows DNS Server service', 'DNS Server')).toBe(true);
    expect(hasKeyword('uses DCE/RPC pipes', 'DCE/RPC')).toBe(true);
    expect(hasKeyword('anything', ' ')).toBe(false);
  });

  it('cuts a first sentence', () => {
    expect(firstSentence('One. Two.')).toBe('One.');
    expect(firstSentence('x'.repeat(200), 10)).toBe(`${'x'.repeat(9)}…`);
  });
});
