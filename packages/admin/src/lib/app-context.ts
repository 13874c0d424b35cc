import type { MeResponse } from '@aurion/contract'
import { createContext } from 'preact'
import { useContext } from 'preact/hooks'
import type { ApiClient } from '../api/client.ts'

/** What every page gets: the API client and who is signed in. */
export interface AppContextValue {
  api: ApiClient
  me: MeResponse | undefined
  signOut: () => Promise<void>
}

export const AppContext = createContext<AppContextValue | undefined>(undefined)

export function useApp(): AppContextValue {
  const v = useContext(AppContext)
  if (!v) throw new Error('useApp outside AppContext')
  return v
}
