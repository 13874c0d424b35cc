import { useEffect, useState } from 'preact/hooks'

export interface Toast {
  id: number
  kind: 'success' | 'error' | 'info'
  message: string
}

let toasts: Toast[] = []
let nextId = 1
const listeners = new Set<(t: Toast[]) => void>()

function publish() {
  for (const fn of listeners) fn(toasts)
}

/** Removes a toast now (its close button) . */
export function dismissToast(id: number): void {
  toasts = toasts.filter((t) => t.id !== id)
  publish()
}

function push(kind: Toast['kind'], message: string, ms: number): void {
  const t = { id: nextId++, kind, message }
  // The same message twice in a row is one toast, not a stack.
  toasts = [...toasts.filter((x) => x.message !== message), t].slice(-4)
  publish()
  setTimeout(() => dismissToast(t.id), ms)
}

/** Short notices in the corner: success and info fade after 4 s, errors after 8 s. */
export const toast = {
  success: (message: string) => push('success', message, 4000),
  info: (message: string) => push('info', message, 4000),
  error: (message: string) => push('error', message, 8000),
}

export function useToasts(): Toast[] {
  const [list, setList] = useState(toasts)
  useEffect(() => {
    listeners.add(setList)
    return () => {
      listeners.delete(setList)
    }
  }, [])
  return list
}
