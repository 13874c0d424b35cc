import { useCallback, useEffect, useRef, useState } from 'preact/hooks'
import { ApiRequestError } from '../api/client.ts'

export interface AsyncState<T> {
  data: T | undefined
  error: string | undefined
  loading: boolean
  reload: () => Promise<void>
  setData: (update: T | ((prev: T | undefined) => T)) => void
}

/** Loads on mount (and when `deps` change); keeps the last data while reloading. */
export function useAsync<T>(load: () => Promise<T>, deps: unknown[] = []): AsyncState<T> {
  const [data, setData] = useState<T | undefined>(undefined)
  const [error, setError] = useState<string | undefined>(undefined)
  const [loading, setLoading] = useState(true)
  const seq = useRef(0)
  const reload = useCallback(async () => {
    const mine = ++seq.current
    setLoading(true)
    setError(undefined)
    try {
      const d = await load()
      if (mine === seq.current) setData(() => d)
    } catch (err) {
      if (mine === seq.current) setError(errorMessage(err))
    } finally {
      if (mine === seq.current) setLoading(false)
    }
  }, deps)
  useEffect(() => {
    void reload()
  }, [reload])
  return { data, error, loading, reload, setData: setData as AsyncState<T>['setData'] }
}

/** A message fit for a toast or an inline error. */
export function errorMessage(err: unknown): string {
  if (err instanceof ApiRequestError) {
    if (err.status === 429 && err.retryAfterSec && !/try again/i.test(err.detail))
      return `${err.detail.replace(/\.$/, '')}. Try again in ${err.retryAfterSec} s.`
    return err.detail
  }
  return err instanceof Error ? err.message : String(err)
}

/** Drops the item `id` from the list of a loaded `{ [key]: items }` response (after deleting it). */
export function dropItem<K extends string, T extends { id: string }>(
  state: Pick<AsyncState<Record<K, T[]>>, 'setData'>,
  key: K,
  id: string,
): void {
  state.setData(
    (prev) => ({ [key]: (prev?.[key] ?? []).filter((x) => x.id !== id) }) as Record<K, T[]>,
  )
}
