/**
 * The (ASN, AS name) records of the ASN tables, shared by IPv4 and IPv6: record id 0 is "none", ids start at 1,
 * and every distinct AS name is stored once (interned), so a million lookups share a hundred thousand strings.
 * Invariant: the indexes exist only while loading; seal() hands out typed arrays and drops them.
 */
export class AsnDictionary {
  readonly asns: number[] = [0];
  readonly nameIds: number[] = [0];
  /** Interned AS names; index 0 is unused (no name). */
  readonly names: Array<string | null> = [null];
  private readonly nameIndex = new Map<string, number>();
  /** Record id by ASN (the files give one name per ASN), and by "asn name" for any other pairing. */
  private readonly byAsn = new Map<number, number>();
  private readonly byPair = new Map<string, number>();

  /** The record id of (asn, name), added when new. */
  intern(asn: number, name: string): number {
    let nameId = 0;
    if (name.length > 0) {
      nameId = this.nameIndex.get(name) ?? 0;
      if (nameId === 0) {
        nameId = this.names.length;
        this.names.push(name);
        this.nameIndex.set(name, nameId);
      }
    }
    const id = this.byAsn.get(asn);
    if (id !== undefined && this.nameIds[id] === nameId) return id;
    const pair = `${asn} ${nameId}`;
    const other = id === undefined ? undefined : this.byPair.get(pair);
    if (other !== undefined) return other;
    const created = this.asns.length;
    this.asns.push(asn);
    this.nameIds.push(nameId);
    if (id === undefined) this.byAsn.set(asn, created);
    else this.byPair.set(pair, created);
    return created;
  }

  get nameCount(): number {
    return this.names.length - 1;
  }

  /** Drops the indexes used while loading; lookups only need the arrays. */
  seal(): { asns: Uint32Array; nameIds: Uint32Array; names: ReadonlyArray<string | null> } {
    this.nameIndex.clear();
    this.byAsn.clear();
    this.byPair.clear();
    return { asns: Uint32Array.from(this.asns), nameIds: Uint32Array.from(this.nameIds), names: this.names };
  }
}
