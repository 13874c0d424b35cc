import { useEffect, useState } from 'preact/hooks'
import { addStyles } from '../../shared/styles.ts'
import { useApp } from './context.ts'

type Loader<T> = () => Promise<T>
const loaded = new Map<Loader<unknown>, unknown>()
const pending = new Map<Loader<unknown>, Promise<unknown>>()

/** Loads a part of the panel that most visitors never need (its own chunk and styles), once. */
export function loadPart<T extends { css: string }>(load: Loader<T>, root: ShadowRoot): Promise<T> {
  let p = pending.get(load) as Promise<T> | undefined
  if (!p) {
    p = load().then((m) => {
      addStyles(root, m.css)
      loaded.set(load, m)
      return m
    })
    p.catch(() => pending.delete(load))
    pending.set(load, p)
  }
  return p
}

/** The part once loaded (re-renders then); starts loading when `wanted`. */
export function usePart<T extends { css: string }>(
  load: Loader<T>,
  wanted: boolean,
): T | undefined {
  const { host } = useApp()
  const [mod, setMod] = useState(loaded.get(load) as T | undefined)
  useEffect(() => {
    if (!wanted || mod) return
    let live = true
    loadPart(load, host.root).then(
      (m) => live && setMod(m),
      () => {},
    )
    return () => {
      live = false
    }
  }, [wanted])
  return mod
}
