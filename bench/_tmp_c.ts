import { benchSensorFollow } from './sensor-follow.bench.js';
const g = await benchSensorFollow(1_000_000);
for (const x of g) console.log(x.name.padEnd(80), x.value, x.unit);
