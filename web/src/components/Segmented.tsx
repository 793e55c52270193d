/** A small segmented switch (e.g. 1h | 24h). */
interface Props<T extends string> {
  label: string;
  options: readonly T[];
  value: T;
  onChange: (v: T) => void;
  testId?: string;
}

export function Segmented<T extends string>({ label, options, value, onChange, testId }: Props<T>) {
  return (
    <div className="segmented" role="group" aria-label={label} data-testid={testId}>
      {options.map((o) => (
        <button
          key={o}
          type="button"
          className={o === value ? 'on' : ''}
          aria-pressed={o === value}
          data-value={o}
          onClick={() => onChange(o)}
        >
          {o}
        </button>
      ))}
    </div>
  );
}
