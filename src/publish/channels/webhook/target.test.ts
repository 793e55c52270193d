/** The SSRF guard: every refused class, the numeric IPv4 spellings, IPv6 forms, and names that resolve inward. */
import { describe, expect, it } from 'vitest';
import { isStormwatchError } from '../../../core/errors.js';
import { refusedReason } from './address-policy.js';
import { resolveTarget } from './target.js';
import type { LookupAll } from './target.js';

async function refusal(url: string, allowPrivate = false, lookup?: LookupAll): Promise<string> {
  const err = await resolveTarget('hook', url, { allowPrivate, lookup }).then(
    () => null,
    (e: unknown) => e,
  );
  if (!isStormwatchError(err) || err.code !== 'SW_TARGET_REFUSED')
    throw new Error(`${url} was not refused: ${String(err)}`);
  return err.message;
}

const table =
  (answers: Record<string, string[]>): LookupAll =>
  (host) =>
    Promise.resolve(
      (answers[host] ?? []).map((address) => ({ address, family: address.includes(':') ? 6 : 4 })),
    );

describe('webhook target guard', () => {
  it.each([
    ['http://10.1.2.3/', 'private'],
    ['http://172.16.0.1/', 'private'],
    ['http://172.31.255.255/', 'private'],
    ['http://192.168.1.1/', 'private'],
    ['http://100.64.0.1/', 'shared address space'],
    ['http://127.0.0.1/', 'loopback'],
    ['http://127.9.9.9:8080/', 'loopback'],
    ['http://169.254.1.1/', 'link-local'],
    ['http://0.0.0.0/', 'unspecified'],
    ['http://224.0.0.1/', 'multicast'],
    ['http://255.255.255.255/', 'reserved'],
    ['http://169.254.169.254/latest/meta-data/', 'cloud metadata'],
    ['http://100.100.100.200/', 'cloud metadata'],
    ['http://168.63.129.16/', 'cloud metadata'],
    ['http://[::1]/', 'loopback'],
    ['http://[::]/', 'unspecified'],
    ['http://[fe80::1]/', 'link-local'],
    ['http://[fc00::1]/', 'unique-local'],
    ['http://[fd12:3456::1]/', 'unique-local'],
    ['http://[ff02::1]/', 'multicast'],
    ['http://[::ffff:127.0.0.1]/', 'loopback'],
    ['http://[::ffff:7f00:1]/', 'loopback'],
    ['http://[::ffff:10.0.0.1]/', 'private'],
    ['http://[::ffff:169.254.169.254]/', 'cloud metadata'],
    ['http://[0:0:0:0:0:ffff:c0a8:0101]/', 'private'],
    ['http://[::127.0.0.1]/', 'loopback'],
    ['http://[64:ff9b::7f00:1]/', 'loopback'],
    ['http://[2002:7f00:1::1]/', 'loopback'],
    ['http://[fd00:ec2::254]/', 'cloud metadata'],
    // Numeric spellings of 127.0.0.1 that URL parsers turn into the dotted quad.
    ['http://2130706433/', 'loopback'],
    ['http://0x7f.1/', 'loopback'],
    ['http://0x7f000001/', 'loopback'],
    ['http://0177.0.0.1/', 'loopback'],
    ['http://017700000001/', 'loopback'],
    ['http://127.1/', 'loopback'],
    ['http://0/', 'unspecified'],
    ['http://0xa9.0xfe.0xa9.0xfe/', 'cloud metadata'],
  ])('refuses %s (%s)', async (url, category) => {
    expect(await refusal(url)).toContain(`is ${category}`);
  });

  it('refuses a host name that resolves to loopback (localhost, through the system resolver)', async () => {
    expect(await refusal('http://localhost:8080/hook')).toMatch(/localhost resolves to (127\.0\.0\.1|::1)\)/);
  });

  it('refuses a name when any one of its addresses is internal', async () => {
    const lookup = table({ 'mixed.test': ['93.184.216.34', '10.0.0.7'], 'rebind.test': ['192.168.0.10'] });
    expect(await refusal('https://mixed.test/x', false, lookup)).toMatch(/10\.0\.0\.7 is private/);
    expect(await refusal('https://rebind.test/x', false, lookup)).toMatch(
      /rebind\.test resolves to 192\.168\.0\.10/,
    );
  });

  it('refuses other schemes and credentials in the URL', async () => {
    expect(await refusal('ftp://example.org/')).toMatch(/scheme ftp:/);
    expect(await refusal('file:///etc/passwd')).toMatch(/scheme file:/);
    expect(await refusal('http://user:pw@example.org/')).toMatch(/credentials/);
    expect(await refusal('not a url')).toMatch(/not a valid URL/);
  });

  it('with allow_private lets internal targets through, but never cloud metadata', async () => {
    await expect(resolveTarget('hook', 'http://127.0.0.1:9/', { allowPrivate: true })).resolves.toMatchObject(
      {
        address: '127.0.0.1',
        port: 9,
        family: 4,
      },
    );
    await expect(resolveTarget('hook', 'http://[fd12::1]/', { allowPrivate: true })).resolves.toMatchObject({
      family: 6,
    });
    expect(await refusal('http://169.254.169.254/', true)).toMatch(/cloud metadata/);
    expect(await refusal('http://[::ffff:a9fe:a9fe]/', true)).toMatch(/cloud metadata/);
  });

  it('accepts public addresses and pins the first resolved one', async () => {
    const lookup = table({ 'hooks.example.org': ['2606:4700::6810:84e5', '93.184.216.34'] });
    const t = await resolveTarget('hook', 'https://hooks.example.org/in', { allowPrivate: false, lookup });
    expect(t).toMatchObject({
      host: 'hooks.example.org',
      port: 443,
      address: '2606:4700::6810:84e5',
      family: 6,
    });
    expect(refusedReason('8.8.8.8', false)).toBeNull();
    expect(refusedReason('::ffff:8.8.8.8', false)).toBeNull();
    expect(refusedReason('2a00:1450:4001::1', false)).toBeNull();
  });

  it('reports a failed lookup as retryable, not as a refusal', async () => {
    const err = await resolveTarget('hook', 'https://nowhere.test/', {
      allowPrivate: false,
      lookup: () => Promise.reject(new Error('ENOTFOUND')),
    }).catch((e: unknown) => e);
    expect(isStormwatchError(err) && err.code).toBe('SW_DELIVERY_FAILED');
  });
});
