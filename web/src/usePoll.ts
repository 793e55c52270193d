/**
 * Poll a loader every `intervalMs` while mounted. The next request starts only when the previous one has
 * finished (a slow server is never flooded), and a change of `key` restarts the loop at once and drops
 * the data of the old key, so a panel never shows one port's numbers under another port's name. A null
 * key pauses polling (e.g. until the server clock is known).
 *
 * A failed refresh keeps the last good data and sets `error`, so a panel can show "stale" over numbers
 * rather than go blank.
 */
import { useEffect, useRef, useState } from 'react';

export interface Poll<T> {
  data: T | undefined;
  error: string | undefined;
  /** True until the first answer (data or error) for the current key. */
  loading: boolean;
}

interface State<T> {
  key: string | null;
  data: T | undefined;
  error: string | undefined;
  done: boolean;
}

export function usePoll<T>(
  key: string | null,
  load: (signal: AbortSignal) => Promise<T>,
  intervalMs: number,
): Poll<T> {
  const [state, setState] = useState<State<T>>({ key, data: undefined, error: undefined, done: false });
  // The loop always calls the latest loader, which may read values (the server clock) that change
  // without changing the key.
  const loadRef = useRef(load);
  useEffect(() => {
    loadRef.current = load;
  });

  useEffect(() => {
    if (key === null) return;
    const ctrl = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;

    const run = async (): Promise<void> => {
      try {
        const data = await loadRef.current(ctrl.signal);
        if (ctrl.signal.aborted) return;
        setState({ key, data, error: undefined, done: true });
      } catch (err) {
        if (ctrl.signal.aborted) return;
        const error = err instanceof Error ? err.message : String(err);
        setState((s) => ({ key, data: s.key === key ? s.data : undefined, error, done: true }));
      }
      if (!ctrl.signal.aborted) timer = setTimeout(() => void run(), intervalMs);
    };
    void run();

    return () => {
      ctrl.abort();
      if (timer !== undefined) clearTimeout(timer);
    };
  }, [key, intervalMs]);

  if (state.key !== key) return { data: undefined, error: undefined, loading: key !== null };
  return { data: state.data, error: state.error, loading: !state.done };
}
