/**
 * Markdown → safe HTML for analyst notes and advisory bodies: `marked` renders (GitHub-flavoured Markdown, raw
 * HTML passes through it), then `sanitize-html` keeps only an allowlist.
 *
 * Invariants (tested with the classic XSS vectors in render.test.ts):
 * - Tags: text structure, lists, tables, code, links; no script, style, iframe, object, embed, form, svg, math,
 *   img (no external fetches from a published note) and nothing else; disallowed tags are dropped with their
 *   text kept, except script/style/textarea/noscript whose content is dropped too.
 * - Attributes: only href and title on links, class on code (language-x), align on table cells. No event handlers,
 *   no style, no id (no DOM clobbering).
 * - Link schemes: http, https, mailto, and relative; javascript:, data:, vbscript:, file: and protocol-relative
 *   (//host) links lose their href, whatever the case, entities or control characters in the scheme.
 * - Every link gets rel="noopener noreferrer" (set by a transform, replacing any given rel); target is never kept.
 */
import { Marked } from 'marked';
import sanitizeHtml from 'sanitize-html';

const marked = new Marked({ gfm: true, breaks: false, async: false });

const ALLOWED_TAGS = [
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'p',
  'br',
  'hr',
  'blockquote',
  'pre',
  'code',
  'em',
  'strong',
  'del',
  's',
  'ul',
  'ol',
  'li',
  'a',
  'table',
  'thead',
  'tbody',
  'tr',
  'th',
  'td',
  'sup',
  'sub',
  'kbd',
];

const OPTIONS: sanitizeHtml.IOptions = {
  allowedTags: ALLOWED_TAGS,
  allowedAttributes: {
    a: ['href', 'title', 'rel'],
    code: ['class'],
    th: ['align'],
    td: ['align'],
    ol: ['start'],
  },
  allowedClasses: { code: [/^language-[a-z0-9+#-]{1,32}$/] },
  allowedSchemes: ['http', 'https', 'mailto'],
  allowedSchemesByTag: {},
  allowedSchemesAppliedToAttributes: ['href'],
  allowProtocolRelative: false,
  disallowedTagsMode: 'discard',
  nonTextTags: ['script', 'style', 'textarea', 'option', 'noscript', 'title'],
  transformTags: { a: sanitizeHtml.simpleTransform('a', { rel: 'noopener noreferrer' }) },
  parser: { lowerCaseTags: true, lowerCaseAttributeNames: true },
};

/** Sanitises HTML with the notes' allowlist. */
export const sanitize = (html: string): string => sanitizeHtml(html, OPTIONS);

/**
 * @example renderMarkdown('**bold** [link](https://example.org)') // '<p><strong>bold</strong> <a href=... rel="noopener noreferrer">...'
 */
export function renderMarkdown(md: string): string {
  const html = marked.parse(md, { async: false });
  return sanitize(html);
}
