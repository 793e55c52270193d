/**
 * Did a Zeek TCP connection complete the three-way handshake? From `history`, else from `conn_state`.
 * Letters of history (zeek/zeek scripts/base/protocols/conn/main.zeek): upper case = the originator sent it,
 * lower case = the responder; S = SYN without ACK, H = SYN+ACK, A = pure ACK, D = data, F = FIN, R = RST,
 * '^' = Zeek flipped the roles (the letters after it follow the new roles). Each letter is recorded once per
 * direction, at its first occurrence, so the order of first occurrences is the order of events.
 *
 * The rule (true = the originator is a real host that answered the SYN-ACK, so not spoofed):
 * - history known: true iff it holds the originator's SYN 'S', then the responder's SYN-ACK 'h', and after that
 *   'h' an originator 'A', 'D' or 'F' (any of them acknowledges the SYN-ACK). So ShADadFf, ShAFf, ShAR (a
 *   connect scan), ShFfAa are true; S (no answer), Sr (refused), ShR (half-open SYN scan: the scanner resets the
 *   SYN-ACK), Sh (no final ACK) are false. Without an 'S' Zeek did not see the start (midstream pick-up such as
 *   DaFfA, a stray ^f, Ar, R): unknown, undefined.
 * - history unset: conn_state S0, REJ, RSTOS0, RSTRH, SH, SHR (the responder never established) are false; SF
 *   (normal establishment and termination) is true; others (S1, S2, S3, RSTO, RSTR, OTH) are undefined, since
 *   Zeek calls a connection "established" as soon as it saw the SYN-ACK (ShR is logged RSTO, Sh is S1).
 */
import { bytesEq } from '../suricata/json-scan.js';

const FALSE_STATES = ['S0', 'REJ', 'RSTOS0', 'RSTRH', 'SH', 'SHR'];

/** `history` in buf[hs, he) (hs < 0: unknown), `conn_state` in buf[cs, ce) (cs < 0: unknown). */
export function zeekHandshake(
  buf: Uint8Array,
  hs: number,
  he: number,
  cs: number,
  ce: number,
): boolean | undefined {
  if (hs >= 0 && he > hs) {
    let i = hs;
    while (i < he && buf[i] !== 83) i++; // 'S'
    if (i >= he) return undefined;
    while (i < he && buf[i] !== 104) i++; // 'h'
    for (i++; i < he; i++) {
      const c = buf[i];
      if (c === 65 || c === 68 || c === 70) return true; // 'A' 'D' 'F'
    }
    return false;
  }
  if (cs >= 0 && ce > cs) {
    if (bytesEq(buf, cs, ce, 'SF')) return true;
    for (const s of FALSE_STATES) if (bytesEq(buf, cs, ce, s)) return false;
  }
  return undefined;
}
