import { describe, expect, it } from 'vitest';
import { keyFolderName } from './import-sensors.js';
import { sensorNameForFile } from './import.js';
import { SENSOR_LABEL } from './marx.js';

describe('import sensor names', () => {
  it('names a file sensor after the file, as a valid sensor name', () => {
    expect(sensorNameForFile('/var/log/kern.log.gz')).toBe('kern.log');
    expect(sensorNameForFile('fw/ufw (copy)#2.log')).toBe('ufw _copy__2.log');
    expect(sensorNameForFile('-')).toBe('stdin');
    const long = sensorNameForFile(`${'a'.repeat(100)}.log`);
    expect(long).toHaveLength(64);
    for (const n of ['kern.log', 'ufw _copy__2.log', long]) expect(n).toMatch(SENSOR_LABEL);
  });

  it('keeps each sensor key in a folder of its own that no name can lead out of', () => {
    expect(keyFolderName('groucho-eu')).toMatch(/^groucho-eu-[0-9a-f]{12}$/);
    expect(keyFolderName('..')).toMatch(/^__-[0-9a-f]{12}$/);
    expect(keyFolderName('a b')).not.toBe(keyFolderName('a_b'));
    expect(keyFolderName('x'.repeat(64))).toHaveLength(40 + 13);
  });
});
