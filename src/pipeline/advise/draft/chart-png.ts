/**
 * The advisory chart as PNG: chart-svg.ts rendered with resvg (@resvg/resvg-js, a Rust SVG renderer, no browser).
 * Text uses the system fonts (DejaVu Sans where present); without fonts the lines still render, the text does not.
 */
import { Resvg } from '@resvg/resvg-js';

/** Renders SVG text to PNG bytes at `scale` times its size (2 = sharp on high-density screens). */
export function svgToPng(svg: string, scale = 1): Buffer {
  const r = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: scale },
    font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' },
    background: '#ffffff',
  });
  return r.render().asPng();
}
