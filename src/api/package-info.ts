/**
 * Where the package lives and its version, resolved from this file's URL so that it is right both from
 * src/ (tsx, vitest) and from the compiled dist/ (both are two levels below the package root).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const PACKAGE_ROOT: string = fileURLToPath(new URL('../../', import.meta.url));

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  version: string;
};
export const VERSION: string = pkg.version;
