/**
 * The blocklist formats by file extension: `networks.nft` is the networks list as an nftables script.
 * Each format is one small file beside this one; adding a format is one file and one line here.
 */
import type { StixCreator } from '../../stix/types.js';
import type { Blocklist } from '../types.js';
import { renderCsv } from './csv.js';
import { renderIpset } from './ipset.js';
import { renderNft } from './nft.js';
import { renderPf } from './pf.js';
import { renderStix } from './stix.js';
import { renderText } from './text.js';

export interface BlocklistFormat {
  contentType: string;
  render(list: Blocklist, creator?: StixCreator): string;
}

export const FORMATS = {
  txt: { contentType: 'text/plain; charset=utf-8', render: renderText },
  ipset: { contentType: 'text/plain; charset=utf-8', render: renderIpset },
  nft: { contentType: 'text/plain; charset=utf-8', render: renderNft },
  pf: { contentType: 'text/plain; charset=utf-8', render: renderPf },
  csv: { contentType: 'text/csv; charset=utf-8', render: renderCsv },
  'stix.json': {
    contentType: 'application/stix+json;version=2.1',
    render: (list: Blocklist, creator?: StixCreator) => JSON.stringify(renderStix(list, creator)),
  },
} as const satisfies Record<string, BlocklistFormat>;

export type FormatName = keyof typeof FORMATS;

export const FORMAT_NAMES = Object.keys(FORMATS) as FormatName[];

export function isFormatName(v: string): v is FormatName {
  return Object.hasOwn(FORMATS, v);
}
