/** The baseline band, the chart data, its SVG and the PNG rendered from it with resvg. */
import { Resvg } from '@resvg/resvg-js';
import { describe, expect, it } from 'vitest';
import { DAY, FIRST_SEEN, HOUR, hourlyRows, incident1025, NOW } from '../test-helpers.js';
import { baselineBand } from './baseline-band.js';
import { chartData } from './chart-data.js';
import { svgToPng } from './chart-png.js';
import { chartSvg, COLORS, HEIGHT, niceStep, WIDTH, xmlEscape } from './chart-svg.js';

const FROM = FIRST_SEEN - DAY;
const rows = hourlyRows(FROM - 7 * DAY, (NOW - FROM) / HOUR + 7 * 24, 40, FIRST_SEEN, 400);

describe('baselineBand', () => {
  it('uses the same hour of earlier days before the activity only', () => {
    const band = baselineBand(rows, FROM, NOW, FIRST_SEEN, FROM - 7 * DAY);
    expect(band).toHaveLength((NOW - FROM) / HOUR);
    // Every hour's history is the quiet 40..42 level, even for hours inside the surge.
    for (const b of band) {
      expect(b.expected).toBeGreaterThanOrEqual(40);
      expect(b.expected).toBeLessThanOrEqual(42);
      expect(b.low).toBeLessThan(b.expected);
      expect(b.high).toBeGreaterThan(b.expected);
      expect(b.low).toBeGreaterThanOrEqual(0);
    }
  });

  it('leaves out hours without any history, and counts absent rows after the data start as zero', () => {
    const band = baselineBand([], FROM, FROM + 3 * HOUR, FIRST_SEEN, FROM - DAY);
    expect(band.map((b) => b.expected)).toEqual([0, 0, 0]);
    expect(baselineBand([], FROM, FROM + 3 * HOUR, FIRST_SEEN, FROM)).toEqual([]);
  });
});

describe('chart', () => {
  const band = baselineBand(rows, FROM, NOW, FIRST_SEEN, FROM - 7 * DAY);
  const data = chartData(
    incident1025(),
    rows.filter((r) => r.bucket >= FROM),
    band,
  );

  it('has one point per hour with the band, and the marker at first_seen', () => {
    expect(data.points).toHaveLength((NOW - FROM) / HOUR);
    expect(data.points[0]?.t).toBe(new Date(FROM).toISOString());
    expect(data.points.at(-1)?.sources).toBe(400);
    expect(data.marker).toBe('2007-04-15T07:00:00.000Z');
    expect(data.title).toBe('Sources per hour on TCP/1025 against the baseline');
    const outside = chartData(
      incident1025({ first_seen: NOW + DAY }),
      rows.filter((r) => r.bucket >= FROM),
      band,
    );
    expect(outside.marker).toBeNull();
  });

  it('writes deterministic SVG with the band, the lines and escaped text', () => {
    const svg = chartSvg(data);
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg" width="760" height="300"')).toBe(true);
    expect(svg).toContain('<polygon');
    expect(svg).toContain(`stroke="${COLORS.sources}"`);
    expect(svg).toContain('activity began');
    expect(chartSvg(data)).toBe(svg);
    expect(chartSvg({ ...data, title: '<script>x</script> & "q"' })).toContain(
      '&lt;script&gt;x&lt;/script&gt; &amp; &quot;q&quot;',
    );
    expect(xmlEscape(`'`)).toBe('&apos;');
    expect(chartSvg({ ...data, points: [], marker: null })).toContain('no data');
  });

  it('draws the surge above the band: the sources colour appears near the top, the band colour lower', () => {
    const img = new Resvg(chartSvg(data)).render();
    expect([img.width, img.height]).toEqual([WIDTH, HEIGHT]);
    const px = img.pixels; // a getter that copies: read it once
    const hex = (c: string): number[] => [1, 3, 5].map((i) => parseInt(c.slice(i, i + 2), 16));
    const rowsWith = (rgb: number[]): number[] => {
      const ys = new Set<number>();
      for (let i = 0; i < px.length; i += 4) {
        const d =
          Math.abs(px[i]! - rgb[0]!) + Math.abs(px[i + 1]! - rgb[1]!) + Math.abs(px[i + 2]! - rgb[2]!);
        if (d < 12) ys.add(Math.floor(i / 4 / img.width));
      }
      return [...ys];
    };
    const plotted = (ys: number[]): number[] => ys.filter((y) => y > 44); // below the legend
    const red = plotted(rowsWith(hex(COLORS.sources)));
    const blue = plotted(rowsWith(hex(COLORS.band)));
    expect(red.length).toBeGreaterThan(0);
    expect(blue.length).toBeGreaterThan(0);
    // The surge (400) is drawn far above the band (about 40), whose top is in the lower fifth of the plot.
    expect(Math.min(...red)).toBeLessThan(60);
    expect(Math.min(...blue)).toBeGreaterThan(200);
  });

  it('renders PNG bytes of the right size', () => {
    const png = svgToPng(chartSvg(data), 2);
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(png.readUInt32BE(16)).toBe(WIDTH * 2);
    expect(png.readUInt32BE(20)).toBe(HEIGHT * 2);
  });

  it('chooses round tick steps', () => {
    expect([0.3, 1, 3, 7, 12, 260, 0].map(niceStep)).toEqual([0.5, 1, 5, 10, 20, 500, 1]);
  });
});
