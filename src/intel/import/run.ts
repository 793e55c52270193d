/**
 * One import of one file into the knowledge base: the size is checked before reading, the records are read as
 * a stream (json-stream.ts, csv.ts), mapped (kev.ts, nvd.ts, exploitdb.ts), merged with the stored records
 * (merge.ts) and written in ONE store transaction.
 *
 * Invariants:
 * - Idempotent: records are upserted by id, so importing a file twice leaves the store as after the first time
 *   (the second run counts them as updated).
 * - All or nothing per file: a file refused whole (not of its format, truncated, over the size limit, no record
 *   usable) changes nothing; a bad record is skipped and counted by reason, the others are kept.
 */
import { makeError } from '../../core/errors.js';
import type { IntelStore } from '../../store/intel-store.js';
import { putExploit, putVulnerability } from '../put.js';
import { parseCsv } from './csv.js';
import { exploitDbLayout, mapExploitRow } from './exploitdb.js';
import type { ExploitDbLayout } from './exploitdb.js';
import { checkedSize, MIB, readTextChunks } from './file-source.js';
import { streamJsonRecords } from './json-stream.js';
import { checkKevHeader, mapKev } from './kev.js';
import { checkNvdField, mapNvd } from './nvd.js';
import { newSummary, skip } from './summary.js';
import type { ImportKind, ImportSummary } from './summary.js';
import type { Exploit, Vulnerability } from '../../protocol/intel-types.js';

export const DEFAULT_MAX_BYTES: Readonly<Record<ImportKind, number>> = {
  kev: 256 * MIB,
  nvd: 2048 * MIB,
  exploitdb: 512 * MIB,
};

const MAX_RECORD_CHARS: Readonly<Record<ImportKind, number>> = {
  kev: 1 * MIB,
  nvd: 32 * MIB,
  exploitdb: 1 * MIB,
};

export interface ImportOptions {
  /** Files over this size are refused before reading; default DEFAULT_MAX_BYTES of the kind. */
  maxBytes?: number;
  /** Longer records are skipped (counted); default per kind. */
  maxRecordChars?: number;
  /** Bytes read so far and the file's size, after each chunk. */
  onProgress?: (bytesRead: number, totalBytes: number) => void;
}

const refuse = (name: string, why: string): never => {
  throw makeError('SW_INTEL_INVALID', `${name}: ${why}`, { details: { file: name } });
};

/** @example const summary = importFile('kev', 'known_exploited_vulnerabilities.json', store) */
export function importFile(
  kind: ImportKind,
  path: string,
  store: IntelStore,
  o: ImportOptions = {},
): ImportSummary {
  const maxBytes = o.maxBytes ?? DEFAULT_MAX_BYTES[kind];
  const size = checkedSize(path, maxBytes);
  const s = newSummary(kind, path, size);
  const chunks = readTextChunks(path, { maxBytes, onBytes: (b) => o.onProgress?.(b, size) });
  const maxRecordChars = o.maxRecordChars ?? MAX_RECORD_CHARS[kind];
  let usable = 0;
  let rejected = 0;

  const putVuln = (v: Vulnerability): void => {
    if (putVulnerability(store, v)) s.imported++;
    else s.updated++;
  };
  const putExp = (x: Exploit): void => {
    if (putExploit(store, x)) s.imported++;
    else s.updated++;
  };

  const readJson = (): void => {
    const fields = new Map<string, unknown>();
    const map = kind === 'kev' ? mapKev : mapNvd;
    let sawArray = false;
    for (const item of streamJsonRecords(chunks, {
      name: path,
      arrayKey: 'vulnerabilities',
      maxRecordChars,
    })) {
      if (item.kind === 'field') {
        fields.set(item.key, item.value);
        if (kind === 'nvd') checkNvdField(path, item.key, item.value);
      } else if (item.kind === 'array') sawArray = true;
      else if (item.kind === 'oversize') {
        s.records++;
        skip(s, item.index, 'record', { field: '', reason: `record over ${maxRecordChars} characters` });
      } else {
        s.records++;
        const m = map(item.value);
        if (m.ok) {
          usable++;
          putVuln(m.value);
        } else {
          if (m.reason === 'rejected CVE') rejected++;
          skip(s, item.index, 'record', m);
        }
      }
    }
    if (!sawArray) refuse(path, 'no "vulnerabilities" array: not a KEV catalogue or NVD CVE file');
    if (kind === 'kev') s.notes.push(...checkKevHeader(path, fields, s.records));
  };

  const readCsv = (): void => {
    let layout: ExploitDbLayout | null = null;
    for (const item of parseCsv(chunks, { name: path, maxRecordChars })) {
      if (layout === null) {
        if (item.kind === 'bad') refuse(path, `the header row is not valid CSV (${item.reason})`);
        else layout = exploitDbLayout(path, item.fields);
        continue;
      }
      s.records++;
      if (item.kind === 'bad') {
        skip(s, item.line, 'line', { field: '', reason: `bad CSV row: ${item.reason}` });
        continue;
      }
      const m = mapExploitRow(item.fields, layout);
      if (m.ok) {
        usable++;
        putExp(m.value);
      } else skip(s, item.line, 'line', m);
    }
    if (layout === null) refuse(path, 'empty: no header row');
  };

  store.transaction(() => {
    if (kind === 'exploitdb') readCsv();
    else readJson();
    if (s.records > 0 && usable === 0 && rejected < s.records)
      refuse(
        path,
        `no record of the file is usable (first problem: ${JSON.stringify(s.samples[0] ?? null)})`,
      );
  });
  return s;
}
