/**
 * The generic `jsonl` input: one JSON object per line, fields found through the configured map (options.ts,
 * record.ts). For any log a program writes as JSON Lines (Zeek JSON, Suricata EVE, an application's own log).
 *
 * Invariants: blank lines are `empty`, `#` lines `header`; a line starting with '{' that is not one JSON object
 * is `bad_json`; a line with a prefix (syslog) is read from its first '{', and is `not_firewall` when that does
 * not parse. Field paths are matched on the bytes without building objects (json-scan.ts).
 */
import type { ParseContext, ParseResult } from '../input.js';
import type { TimeZoneMode } from '../iptables/timestamp.js';
import { JsonScanner } from './json-scan.js';
import { ByteLineParser, scanJsonLine, SlotView, V_ABSENT, V_TEXT } from './line-base.js';
import { jsonlOptionsSchema, resolveCommon } from './options.js';
import type { JsonlOptions } from './options.js';
import { BAD, fieldNames, RecordReader } from './record.js';
import type { FieldSource } from './record.js';

/** The record fields of a scanned JSON object. */
class JsonFields extends SlotView implements FieldSource {
  buf: Uint8Array = new Uint8Array(0);

  constructor(
    readonly scanner: JsonScanner,
    private readonly slotOf: Int32Array,
  ) {
    super();
  }

  get(i: number): number {
    const slot = this.slotOf[i] ?? -1;
    if (slot < 0) return V_ABSENT;
    const k = this.set(this.scanner, this.buf, slot);
    return k === V_TEXT && this.e === this.s ? V_ABSENT : k; // "" is no value
  }
}

export class JsonlParser extends ByteLineParser {
  readonly type = 'jsonl';
  private readonly fields: JsonFields;
  private readonly record: RecordReader;

  /** @param options validated options (undefined: the defaults of options.ts). */
  constructor(options?: JsonlOptions, timezone: TimeZoneMode = 'utc') {
    super();
    const o = resolveCommon(options ?? jsonlOptionsSchema.parse({}));
    const names = fieldNames(o);
    const paths: string[] = [];
    const slotOf = new Int32Array(names.length).fill(-1);
    names.forEach((n, i) => {
      if (n === '') return;
      let slot = paths.indexOf(n);
      if (slot < 0) slot = paths.push(n) - 1;
      slotOf[i] = slot;
    });
    this.fields = new JsonFields(new JsonScanner(paths), slotOf);
    this.record = new RecordReader(o, timezone);
  }

  parseBytes(buf: Uint8Array, start: number, end: number, ctx: ParseContext): ParseResult {
    const f = this.fields;
    const early = scanJsonLine(f.scanner, buf, start, end, BAD.bad_json);
    if (early !== null) return early;
    f.buf = buf;
    const r = this.record.read(f, ctx);
    f.buf = EMPTY;
    return r;
  }
}

const EMPTY = new Uint8Array(0);
