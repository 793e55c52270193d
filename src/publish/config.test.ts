/** The publish config: defaults, every error named by its path, secrets from the environment. */
import { describe, expect, it } from 'vitest';
import { isStormwatchError } from '../core/errors.js';
import { resolvePublishConfig } from './config.js';

function problems(input: unknown, env: Record<string, string> = {}): string[] {
  try {
    resolvePublishConfig(input, env);
  } catch (err) {
    if (isStormwatchError(err) && err.code === 'SW_CONFIG_INVALID') return err.details as string[];
    throw err;
  }
  throw new Error('no error');
}

const hook = {
  name: 'soc',
  type: 'webhook',
  url: 'https://hooks.example.org/in',
  secret: 'sixteen-chars-ok',
};

describe('publish config', () => {
  it('treats {} as complete, with the dispatch defaults', () => {
    const c = resolvePublishConfig({});
    expect(c.channels).toEqual([]);
    expect(c.routes).toEqual([]);
    expect(c.dispatch).toMatchObject({
      max_attempts: 10,
      backoff_base_ms: 30_000,
      backoff_max_ms: 3_600_000,
    });
    expect(Object.isFrozen(c.dispatch)).toBe(true);
  });

  it('accepts one channel of each type and fills their defaults', () => {
    const c = resolvePublishConfig(
      {
        channels: [
          { ...hook, secret: undefined, secret_env: 'SOC_SECRET' },
          {
            name: 'mail',
            type: 'email',
            host: 'smtp.example.org',
            from: 'sw@example.org',
            to: ['a@example.org'],
            auth: { user: 'u', pass_env: 'SMTP_PASS' },
          },
          { name: 'public', type: 'feed', link: 'https://stormwatch.example.org/' },
          { name: 'siem', type: 'syslog', host: 'siem.example.org', protocol: 'tcp', port: 6514 },
          { name: 'taxii', type: 'stix-file', directory: '/var/lib/stormwatch/stix' },
        ],
        routes: [{ name: 'all', channels: ['soc', 'mail', 'public', 'siem', 'taxii'] }],
      },
      { SOC_SECRET: 'from-the-environment', SMTP_PASS: 'pw' },
    );
    const [w, m, f, s] = c.channels;
    expect(w).toMatchObject({ secret: 'from-the-environment', allow_private: false, timeout_ms: 10_000 });
    expect(m).toMatchObject({ port: 587, starttls: 'required', auth: { user: 'u', pass: 'pw' } });
    expect(f).toMatchObject({ max_entries: 50 });
    expect(s).toMatchObject({ facility: 'local0', app_name: 'stormwatch' });
  });

  it('names every problem by its path, all at once', () => {
    const p = problems({
      channels: [
        { ...hook, url: 'ftp://x.example/' },
        { ...hook, name: 'soc' },
        { name: 'BAD NAME', type: 'webhook', url: 'https://x.example/', secret: 'short' },
        { name: 'x', type: 'pager' },
        { name: 'm', type: 'email', host: 'h', from: 'not-an-address', to: [] },
        { name: 's', type: 'syslog', host: 'h', protocol: 'sctp', colour: 'red' },
      ],
      routes: [
        {
          name: 'r',
          match: { kinds: ['advisory.published', 'nope'], min_level: 'urgent', ports: ['tcp/70000', '1025'] },
          channels: ['soc', 'ghost'],
        },
        { name: 'r', channels: [] },
      ],
      dispatch: { backoff_base_ms: 10_000, backoff_max_ms: 1000, max_attempts: 0 },
      extra: true,
    });
    const text = p.join('\n');
    for (const expected of [
      /^channels\.0\.url: scheme ftp: is not http or https$/m,
      /^channels\.2\.name: /m,
      /^channels\.2\.secret: /m,
      /^channels\.3\.type: /m,
      /^channels\.4\.from: /m,
      /^channels\.4\.to: /m,
      /^channels\.5\.protocol: /m,
      /^channels\.5: .*\(colour\)/m,
      /^routes\.0\.match\.kinds\.1: /m,
      /^routes\.0\.match\.min_level: /m,
      /^routes\.0\.match\.ports\.0: port above 65535/m,
      /^routes\.0\.match\.ports\.1: /m,
      /^routes\.1\.channels: /m,
      /^dispatch\.backoff_max_ms: must be at least backoff_base_ms/m,
      /^dispatch\.max_attempts: /m,
      /^\(root\): .*\(extra\)/m,
    ]) {
      expect(text).toMatch(expected);
    }
  });

  it('reports duplicate names and routes to unknown channels', () => {
    expect(
      problems({
        channels: [hook, { ...hook }],
        routes: [
          { name: 'r', channels: ['soc', 'ghost'] },
          { name: 'r', channels: ['soc'] },
        ],
      }),
    ).toEqual([
      'channels.1.name: duplicate channel name "soc"',
      'routes.0.channels.1: unknown channel "ghost"',
      'routes.1.name: duplicate route name "r"',
    ]);
  });

  it('needs exactly one of secret and secret_env, and the variable set', () => {
    expect(problems({ channels: [{ ...hook, secret: undefined }] })).toEqual([
      'channels.0.secret: give exactly one of secret and secret_env',
    ]);
    expect(problems({ channels: [{ ...hook, secret_env: 'X' }] })).toEqual([
      'channels.0.secret: give exactly one of secret and secret_env',
    ]);
    expect(problems({ channels: [{ ...hook, secret: undefined, secret_env: 'SOC_SECRET' }] })).toEqual([
      'channels.0.secret_env: environment variable SOC_SECRET is not set',
    ]);
    expect(
      problems(
        { channels: [{ ...hook, secret: undefined, secret_env: 'SOC_SECRET' }] },
        { SOC_SECRET: 'short' },
      ),
    ).toEqual(['channels.0.secret_env: SOC_SECRET holds fewer than 16 characters']);
    expect(
      problems({
        channels: [
          {
            name: 'm',
            type: 'email',
            host: 'h',
            from: 'a@b.example',
            to: ['c@d.example'],
            auth: { user: 'u', pass_env: 'P' },
          },
        ],
      }),
    ).toEqual(['channels.0.auth.pass_env: environment variable P is not set']);
  });

  it('refuses a non-object', () => {
    expect(problems('channels: yes')[0]).toMatch(/^\(root\): /);
  });
});
