/**
 * (protocol, port) keys of the evaluation as small integers: proto index · 65536 + port, so that a key fits in
 * an Int32Array column. Only the three protocols of the marx layout exist here.
 */
import type { EvalProto } from './csv-events.js';

export const EVAL_PROTOS: readonly EvalProto[] = ['tcp', 'udp', 'icmp'];

export const evalKey = (proto: EvalProto, port: number): number => EVAL_PROTOS.indexOf(proto) * 65536 + port;
export const keyProtoOf = (key: number): EvalProto => EVAL_PROTOS[Math.floor(key / 65536)] ?? 'tcp';
export const keyPortOf = (key: number): number => key % 65536;
export const keyLabel = (key: number): string => `${keyProtoOf(key).toUpperCase()}/${keyPortOf(key)}`;
