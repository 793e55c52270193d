/**
 * Analyst notes: Markdown with validated links (links.ts), draft or published, edited with optimistic
 * concurrency; views render the body with the sanitiser of render.ts. The published list is the notes feed
 * (`publishedFeed`, read by the feed channel).
 *
 * Invariants: the public sees published notes only (else SW_NOT_FOUND) and no actor names; "when" is the
 * injected clock (real time).
 */
import type { Clock } from '../../../core/clock.js';
import { makeError } from '../../../core/errors.js';
import type { NoteLinks, NoteRecord, NoteStatus, NoteView } from '../../../protocol/advisory-types.js';
import type { AdvisoryStore } from '../../../store/advisory-store.js';
import { canonicalLink, validateLinks } from './links.js';
import { renderMarkdown } from './render.js';

const iso = (ms: number): string => new Date(ms).toISOString();

export function noteView(n: NoteRecord, admin: boolean): NoteView {
  return {
    id: n.id,
    title: n.title,
    body_md: n.body_md,
    body_html: renderMarkdown(n.body_md),
    links: n.links,
    status: n.status,
    version: n.version,
    created_at: iso(n.created_at),
    updated_at: iso(n.updated_at),
    published_at: n.published_at === null ? null : iso(n.published_at),
    ...(admin ? { created_by: n.created_by, updated_by: n.updated_by } : {}),
  };
}

export interface NoteInput {
  title: string;
  body_md: string;
  links?: Partial<NoteLinks>;
}

export class NoteService {
  constructor(
    private readonly o: {
      store: AdvisoryStore;
      clock: Clock;
      /** Called after a note is published (the channels); a throwing hook does not undo the publish. */
      onPublished?: (note: NoteView) => void;
    },
  ) {}

  create(input: NoteInput, actor: string): NoteRecord {
    const links = validateLinks(input.links ?? {});
    return this.o.store.createNote({
      title: input.title,
      body_md: input.body_md,
      links,
      actor,
      at: this.o.clock.now(),
    });
  }

  update(id: string, baseVersion: number, change: Partial<NoteInput>, actor: string): NoteRecord {
    const links = change.links === undefined ? undefined : validateLinks(change.links);
    return this.o.store.updateNote(
      id,
      baseVersion,
      {
        ...(change.title !== undefined ? { title: change.title } : {}),
        ...(change.body_md !== undefined ? { body_md: change.body_md } : {}),
        ...(links ? { links } : {}),
      },
      { actor, at: this.o.clock.now() },
    );
  }

  /** draft → published or back; SW_CONFLICT when already there. */
  setStatus(id: string, to: NoteStatus, actor: string): NoteRecord {
    const from: NoteStatus = to === 'published' ? 'draft' : 'published';
    const note = this.o.store.setNoteStatus(id, from, to, { actor, at: this.o.clock.now() });
    if (to === 'published' && this.o.onPublished) {
      try {
        this.o.onPublished(noteView(note, false));
      } catch {
        // The hook logs its own failures (src/publish/publisher.ts); the note stays published.
      }
    }
    return note;
  }

  get(id: string, admin: boolean): NoteView {
    const n = this.o.store.getNote(id);
    if (!n || (!admin && n.status !== 'published')) throw makeError('SW_NOT_FOUND', `no note ${id}`);
    return noteView(n, admin);
  }

  /** Newest first; the public gets published notes only. `link` filters by a port, id or IP. */
  list(q: { status?: NoteStatus; link?: string; limit: number }, admin: boolean): NoteView[] {
    const status = admin ? q.status : 'published';
    if (!admin && q.status === 'draft') return [];
    let link: string | undefined;
    if (q.link !== undefined) {
      const c = canonicalLink(q.link);
      if (c === null)
        throw makeError(
          'SW_BAD_REQUEST',
          `link: ${JSON.stringify(q.link.slice(0, 80))} is not a port, incident id, advisory id or IP`,
        );
      link = c;
    }
    return this.o.store
      .listNotes({ limit: q.limit, ...(status ? { status } : {}), ...(link ? { link } : {}) })
      .map((n) => noteView(n, admin));
  }

  /** The published notes as the public sees them, newest first: what the feed channel publishes. */
  publishedFeed(limit: number): NoteView[] {
    return this.list({ limit }, false);
  }
}
