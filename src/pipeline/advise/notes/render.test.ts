/** The notes' Markdown renderer and sanitiser against the classic XSS vectors, and link validation. */
import { describe, expect, it } from 'vitest';
import { canonicalIp, canonicalLink, validateLinks } from './links.js';
import { renderMarkdown, sanitize } from './render.js';

const ALLOWED = new Set(
  'h1 h2 h3 h4 h5 h6 p br hr blockquote pre code em strong del s ul ol li a table thead tbody tr th td sup sub kbd'.split(
    ' ',
  ),
);

/**
 * Nothing executable may survive. The output escapes '<' in text, so every '<...>' in it is a real tag: each must
 * be an allowed tag whose attributes are only href/title/rel/class/align/start, with no dangerous scheme.
 */
function expectInert(html: string): void {
  for (const [tag] of html.matchAll(/<[^>]*>/g)) {
    const name = /^<\/?([a-z0-9]+)/i.exec(tag)?.[1]?.toLowerCase() ?? '';
    expect(ALLOWED.has(name), tag).toBe(true);
    for (const [, attr] of tag.matchAll(/\s([^\s=/>]+)\s*=/g))
      expect(['href', 'title', 'rel', 'class', 'align', 'start'], tag).toContain(attr?.toLowerCase());
    expect(tag).not.toMatch(/(javascript|vbscript|data|file)\s*:/i);
    expect(tag).not.toMatch(/href="\/\//i);
  }
}

describe('renderMarkdown', () => {
  it('renders ordinary Markdown with safe links', () => {
    const html = renderMarkdown(
      '# Title\n\n**bold** and `code` [ISC](https://isc.sans.edu/) <mailto:a@example.org>\n\n- one\n- two\n',
    );
    expect(html).toContain('<h1>Title</h1>');
    expect(html).toContain('<strong>bold</strong>');
    expect(html).toContain('<code>code</code>');
    expect(html).toContain('<a href="https://isc.sans.edu/" rel="noopener noreferrer">ISC</a>');
    expect(html).toContain(
      '<a href="mailto:a@example.org" rel="noopener noreferrer">mailto:a@example.org</a>',
    );
    expect(html).toContain('<li>one</li>');
  });

  it('keeps tables and code blocks with their language class', () => {
    const html = renderMarkdown('| a | b |\n|---|:-:|\n| 1 | 2 |\n\n```sh\niptables -L\n```\n');
    expect(html).toContain('<table>');
    expect(html).toContain('<td align="center">2</td>');
    expect(html).toContain('<code class="language-sh">iptables -L\n</code>');
  });

  const vectors: Array<[string, string]> = [
    ['script tag', '<script>alert(1)</script>hello'],
    ['script tag, upper case and attributes', '<SCRIPT SRC=//evil.example/x.js></SCRIPT>'],
    ['img onerror', '<img src=x onerror=alert(1)>'],
    ['img onerror in markdown image', '![x](x" onerror="alert(1))'],
    ['svg onload', '<svg onload=alert(1)><circle r=1></svg>'],
    ['javascript link', '[click](javascript:alert(1))'],
    ['javascript link, mixed case', '[click](JaVaScRiPt:alert(1))'],
    ['javascript link, entities', '[click](&#106;avascript&#58;alert(1))'],
    ['javascript link, hex entities in html', '<a href="&#x6A;&#x61;vascript:alert(1)">x</a>'],
    ['javascript link, tab in scheme', '<a href="java\tscript:alert(1)">x</a>'],
    ['javascript link, leading spaces and newline', '<a href="  \njavascript:alert(1)">x</a>'],
    ['vbscript link', '<a href="vbscript:msgbox(1)">x</a>'],
    ['data url link', '[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)'],
    ['data url in html', '<a href="DATA:text/html,<script>alert(1)</script>">x</a>'],
    ['iframe', '<iframe src="https://evil.example"></iframe>'],
    ['iframe srcdoc', '<iframe srcdoc="<script>alert(1)</script>"></iframe>'],
    ['style attribute', '<p style="background:url(javascript:alert(1))">x</p>'],
    ['style element', '<style>body{background:red}</style>text'],
    ['unclosed tags', '<a href="javascript:alert(1)" <b onmouseover=alert(1)>x'],
    ['unclosed script', '<script>alert(1)'],
    ['event handler on allowed tag', '<a href="https://ok.example" onclick="alert(1)">x</a>'],
    ['nested markdown in html', '<div markdown="1">[x](javascript:alert(1))</div>'],
    ['html inside a markdown link', '[<img src=x onerror=alert(1)>](https://ok.example)'],
    ['object and embed', '<object data="x.swf"></object><embed src="x.swf">'],
    ['form with action', '<form action="javascript:alert(1)"><button>go</button></form>'],
    ['math with href', '<math><mi xlink:href="javascript:alert(1)">x</mi></math>'],
    ['meta refresh', '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">'],
    ['base href', '<base href="javascript:alert(1)//">'],
    ['protocol-relative link', '<a href="//evil.example/">x</a>'],
    ['comment trick', '<!--<img src="--><img src=x onerror=alert(1)//">'],
    ['autolink javascript', '<javascript:alert(1)>'],
    ['reference link', '[x][1]\n\n[1]: javascript:alert(1)'],
  ];

  for (const [name, md] of vectors)
    it(`neutralises: ${name}`, () => {
      expectInert(renderMarkdown(md));
    });

  it('drops the href of a refused scheme but keeps the text', () => {
    expect(renderMarkdown('[click](javascript:alert(1))')).toBe(
      '<p><a rel="noopener noreferrer">click</a></p>\n',
    );
    expect(renderMarkdown('<script>alert(1)</script>hello')).not.toContain('alert');
  });

  it('adds rel="noopener noreferrer" and drops target on every link', () => {
    const html = sanitize('<a href="https://ok.example" target="_blank" rel="opener">x</a>');
    expect(html).toBe('<a href="https://ok.example" rel="noopener noreferrer">x</a>');
  });

  it('refuses classes other than a code language', () => {
    expect(sanitize('<code class="language-sh evil">x</code><p class="x">y</p>')).toBe(
      '<code class="language-sh">x</code><p>y</p>',
    );
  });
});

describe('links', () => {
  it('canonicalises ports, ids and addresses', () => {
    expect(
      validateLinks({
        ports: ['TCP/01025', 'tcp/1025', 'udp/53'],
        incidents: ['in_tcp_1025_1176620400000'],
        advisories: ['adv_0123456789abcdef'],
        ips: ['192.0.2.7', '2001:DB8:0:0::1'],
      }),
    ).toEqual({
      ports: ['tcp/1025', 'udp/53'],
      incidents: ['in_tcp_1025_1176620400000'],
      advisories: ['adv_0123456789abcdef'],
      ips: ['192.0.2.7', '2001:db8::1'],
    });
  });

  it('refuses invalid values, naming each', () => {
    let err: unknown;
    try {
      validateLinks({
        ports: ['tcp/70000', 'xyz/1'],
        ips: ['192.0.2.300', '010.0.0.1', 'fe80::1%eth0', 'example.org'],
        incidents: ['in_x'],
      });
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({ code: 'SW_BAD_REQUEST' });
    const details = (err as { details: string[] }).details;
    expect(details).toHaveLength(7);
    expect(details[0]).toBe('links.ports[0]: "tcp/70000" is not a valid port');
    expect(() => validateLinks({ ips: Array.from({ length: 51 }, (_, i) => `192.0.2.${i}`) })).toThrow(
      /at most 50/,
    );
  });

  it('recognises a filter value of any kind', () => {
    expect(canonicalLink('TCP/1025')).toBe('tcp/1025');
    expect(canonicalLink('adv_0123456789abcdef')).toBe('adv_0123456789abcdef');
    expect(canonicalLink('::FFFF:192.0.2.1')).toBe('::ffff:c000:201');
    expect(canonicalLink('nonsense')).toBeNull();
    expect(canonicalIp('1.2.3')).toBeNull();
  });
});
