/**
 * The advisory chart as SVG text, written by hand (no DOM): sources per hour as a line, the baseline's expected
 * value as a dashed line inside its interval band, and a marker where the activity began.
 *
 * Invariants: deterministic (same data, same bytes); every text is XML-escaped; numbers are rounded to 0.1 px;
 * the picture is WIDTH × HEIGHT with a white background, so chart-png.ts renders it without a page around it.
 */
import type { ChartData, ChartPoint } from '../../../protocol/advisory-types.js';

export const WIDTH = 760;
export const HEIGHT = 300;
const M = { left: 60, right: 20, top: 44, bottom: 46 };
const PW = WIDTH - M.left - M.right;
const PH = HEIGHT - M.top - M.bottom;
const HOUR = 3_600_000;
export const COLORS = { sources: '#c0392b', expected: '#555555', band: '#aed6f1', marker: '#7d3c98' };
const FONT = 'font-family="DejaVu Sans, Arial, Helvetica, sans-serif"';

export const xmlEscape = (s: string): string =>
  s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');

const f = (x: number): string => String(Math.round(x * 10) / 10);

/** The smallest of 1, 2, 5 × 10^k at least `x`. */
export function niceStep(x: number): number {
  if (!(x > 0)) return 1;
  const p = Math.pow(10, Math.floor(Math.log10(x)));
  for (const m of [1, 2, 5, 10]) if (m * p >= x) return m * p;
  return 10 * p;
}

type Band = ChartPoint & { expected: number; low: number; high: number };
const hasBand = (p: ChartPoint): p is Band => p.expected !== null && p.low !== null && p.high !== null;

/** Consecutive runs of points that have a band, with their indexes. */
function bandRuns(points: readonly ChartPoint[]): Array<Array<[number, Band]>> {
  const runs: Array<Array<[number, Band]>> = [];
  let run: Array<[number, Band]> = [];
  points.forEach((p, i) => {
    if (hasBand(p)) run.push([i, p]);
    else if (run.length) {
      runs.push(run);
      run = [];
    }
  });
  if (run.length) runs.push(run);
  return runs;
}

function xLabels(points: readonly ChartPoint[], x: (i: number) => number): string[] {
  const step = [1, 2, 3, 6, 12, 24, 48, 96, 168].find((s) => points.length / s <= 8) ?? 336;
  const out: string[] = [];
  points.forEach((p, i) => {
    const t = Date.parse(p.t);
    if (Math.floor(t / HOUR) % step !== 0) return;
    const label = `${p.t.slice(5, 10)} ${p.t.slice(11, 16)}`;
    // Labels near an edge are anchored inside the picture, so they are never cut off.
    const anchor = x(i) > WIDTH - M.right - 35 ? 'end' : x(i) < M.left + 35 ? 'start' : 'middle';
    out.push(
      `<line x1="${f(x(i))}" y1="${M.top + PH}" x2="${f(x(i))}" y2="${M.top + PH + 4}" stroke="#333"/>`,
      `<text x="${f(x(i))}" y="${M.top + PH + 17}" font-size="10" text-anchor="${anchor}" ${FONT}>${xmlEscape(label)}</text>`,
    );
  });
  return out;
}

/**
 * @example writeFileSync('chart.svg', chartSvg(version.fields.chart))
 */
export function chartSvg(data: ChartData): string {
  const pts = data.points;
  const top = Math.max(1, ...pts.map((p) => Math.max(p.sources, p.high ?? 0)));
  const step = niceStep(top / 4);
  const yMax = Math.ceil(top / step) * step;
  const x = (i: number): number => M.left + (pts.length <= 1 ? PW / 2 : (i * PW) / (pts.length - 1));
  const y = (v: number): number => M.top + PH - (v / yMax) * PH;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}">`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="#ffffff"/>`,
    `<text x="${M.left}" y="18" font-size="14" font-weight="bold" ${FONT}>${xmlEscape(data.title)}</text>`,
  ];
  for (let v = 0; v <= yMax + 1e-9; v += step)
    out.push(
      `<line x1="${M.left}" y1="${f(y(v))}" x2="${M.left + PW}" y2="${f(y(v))}" stroke="#e5e5e5"/>`,
      `<text x="${M.left - 6}" y="${f(y(v) + 3.5)}" font-size="10" text-anchor="end" ${FONT}>${xmlEscape(String(Math.round(v * 100) / 100))}</text>`,
    );
  for (const run of bandRuns(pts)) {
    const upper = run.map(([i, p]) => `${f(x(i))},${f(y(p.high))}`);
    const lower = [...run].reverse().map(([i, p]) => `${f(x(i))},${f(y(p.low))}`);
    out.push(`<polygon points="${[...upper, ...lower].join(' ')}" fill="${COLORS.band}"/>`);
    const exp = run.map(([i, p]) => `${f(x(i))},${f(y(p.expected))}`).join(' ');
    out.push(
      `<polyline points="${exp}" fill="none" stroke="${COLORS.expected}" stroke-width="1.5" stroke-dasharray="5,3"/>`,
    );
  }
  if (pts.length > 0) {
    const line = pts.map((p, i) => `${f(x(i))},${f(y(p.sources))}`).join(' ');
    out.push(`<polyline points="${line}" fill="none" stroke="${COLORS.sources}" stroke-width="2.5"/>`);
  } else
    out.push(
      `<text x="${WIDTH / 2}" y="${M.top + PH / 2}" font-size="13" text-anchor="middle" ${FONT}>no data</text>`,
    );
  const t0 = pts[0] ? Date.parse(pts[0].t) : NaN;
  if (data.marker !== null && pts.length > 1 && Number.isFinite(t0)) {
    const mx = x((Date.parse(data.marker) - t0) / HOUR);
    out.push(
      `<line x1="${f(mx)}" y1="${M.top}" x2="${f(mx)}" y2="${M.top + PH}" stroke="${COLORS.marker}" stroke-width="1.5"/>`,
      `<text x="${f(mx + 4)}" y="${M.top + 12}" font-size="10" fill="${COLORS.marker}" ${FONT}>activity began</text>`,
    );
  }
  out.push(
    `<line x1="${M.left}" y1="${M.top + PH}" x2="${M.left + PW}" y2="${M.top + PH}" stroke="#333"/>`,
    `<line x1="${M.left}" y1="${M.top}" x2="${M.left}" y2="${M.top + PH}" stroke="#333"/>`,
    ...xLabels(pts, x),
    ...legend(),
    '</svg>',
  );
  return out.join('\n') + '\n';
}

function legend(): string[] {
  const y0 = 32;
  const item = (lx: number, mark: string, label: string): string[] => [
    mark,
    `<text x="${lx + 26}" y="${y0 + 4}" font-size="11" ${FONT}>${label}</text>`,
  ];
  return [
    ...item(
      M.left,
      `<line x1="${M.left}" y1="${y0}" x2="${M.left + 20}" y2="${y0}" stroke="${COLORS.sources}" stroke-width="2.5"/>`,
      'sources per hour',
    ),
    ...item(
      200,
      `<line x1="200" y1="${y0}" x2="220" y2="${y0}" stroke="${COLORS.expected}" stroke-width="1.5" stroke-dasharray="5,3"/>`,
      'expected',
    ),
    ...item(
      300,
      `<rect x="300" y="${y0 - 5}" width="20" height="10" fill="${COLORS.band}"/>`,
      '99% baseline range',
    ),
  ];
}
