/**
 * A dashboard card: a title bar (with optional controls on the right) and a body that is never blank:
 * "Loading…" before the first answer, the error when there is no data to show, and the data with a
 * "stale" marker when a refresh failed after an earlier success.
 */
import type { ReactNode } from 'react';

interface Props {
  title: ReactNode;
  testId: string;
  className?: string;
  actions?: ReactNode;
  loading: boolean;
  error: string | undefined;
  hasData: boolean;
  children?: ReactNode;
}

export function Panel({ title, testId, className, actions, loading, error, hasData, children }: Props) {
  return (
    <section className={`panel ${className ?? ''}`} data-testid={testId} aria-busy={loading}>
      <header className="panel-head">
        <h2>{title}</h2>
        {error && hasData && (
          <span className="stale" title={error}>
            stale · {error}
          </span>
        )}
        {actions && <div className="panel-actions">{actions}</div>}
      </header>
      <div className="panel-body">
        {hasData ? (
          children
        ) : error ? (
          <div className="state state-error" role="alert">
            <strong>{error}</strong>
            <span>retrying every 5 s</span>
          </div>
        ) : (
          <div className="state state-loading">Loading…</div>
        )}
      </div>
    </section>
  );
}
