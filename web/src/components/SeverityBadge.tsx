/** An alert's level and 0-100 severity as a coloured badge: "HIGH 87". */
import type { Alert } from '../../../src/protocol/api-types.ts';

export function SeverityBadge({ level, severity }: Pick<Alert, 'level' | 'severity'>) {
  return (
    <span className={`badge badge-${level}`} title={`severity ${severity} / 100`}>
      {level.toUpperCase()} <b>{Math.round(severity)}</b>
    </span>
  );
}
