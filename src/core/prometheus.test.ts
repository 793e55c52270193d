/** The exposition writer: HELP/TYPE once per family, label and HELP escaping, special values. */
import { describe, expect, it } from 'vitest';
import { exposition } from './prometheus.js';

describe('exposition', () => {
  it('writes HELP, TYPE and samples, ending with a newline', () => {
    const text = exposition([
      { name: 'a_total', help: 'As.', type: 'counter', samples: [{ value: 3 }] },
      {
        name: 'b_bytes',
        help: 'Bs.',
        type: 'gauge',
        samples: [
          { labels: { file: 'x.db' }, value: 10 },
          { labels: { file: 'y.db' }, value: 0.5 },
        ],
      },
    ]);
    expect(text).toBe(
      [
        '# HELP a_total As.',
        '# TYPE a_total counter',
        'a_total 3',
        '# HELP b_bytes Bs.',
        '# TYPE b_bytes gauge',
        'b_bytes{file="x.db"} 10',
        'b_bytes{file="y.db"} 0.5',
        '',
      ].join('\n'),
    );
  });

  it('escapes label values and HELP text, and spells special values as the format does', () => {
    const text = exposition([
      {
        name: 'c',
        help: 'back\\slash\nnewline',
        type: 'gauge',
        samples: [{ labels: { v: 'q"b\\n\nl' }, value: Infinity }, { value: -Infinity }, { value: NaN }],
      },
    ]);
    expect(text.split('\n')).toEqual([
      '# HELP c back\\\\slash\\nnewline',
      '# TYPE c gauge',
      'c{v="q\\"b\\\\n\\nl"} +Inf',
      'c -Inf',
      'c NaN',
      '',
    ]);
  });

  it('writes nothing for no families', () => {
    expect(exposition([])).toBe('');
  });
});
