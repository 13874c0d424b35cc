import { TRANSLATABLE_FIELDS } from '@aurion/contract'
import { useState } from 'preact/hooks'

export type TabId = 'content' | 'appearance' | 'languages' | 'security' | 'phone' | 'install'

export const TABS: { id: TabId; label: string }[] = [
  { id: 'content', label: 'Content' },
  { id: 'appearance', label: 'Appearance' },
  { id: 'languages', label: 'Languages' },
  { id: 'security', label: 'Access & security' },
  { id: 'phone', label: 'Phone' },
  { id: 'install', label: 'Install' },
]

const FIELD_TAB: Record<string, TabId> = {
  enabled: 'content',
  mode: 'content',
  display_title: 'content',
  launcher_label: 'content',
  welcome_text: 'content',
  launcher_bubble_message: 'content',
  quick_actions_enabled: 'content',
  quick_actions: 'content',
  agent_instructions: 'content',
  feedback_enabled: 'content',
  csat_enabled: 'content',
  launcher_position: 'appearance',
  theme: 'appearance',
  accent_theme: 'appearance',
  primary_color: 'appearance',
  accent_color: 'appearance',
  logo_url: 'appearance',
  show_powered_by: 'appearance',
  allowed_origins: 'security',
  identity_verification_required: 'security',
  sso_auto_login: 'security',
  voice_auth_enabled: 'security',
  ...Object.fromEntries(
    TRANSLATABLE_FIELDS.map((f) => [`${f}_translations`, 'languages' as TabId]),
  ),
}

/** The tab holding the field an issue path points at (`allowed_origins.2` → security). */
export function tabOf(path: string): TabId {
  return FIELD_TAB[path.split('.')[0] ?? ''] ?? 'content'
}

export function isTabId(v: string | null): v is TabId {
  return TABS.some((t) => t.id === v)
}

function initialTab(): TabId {
  const t = new URLSearchParams(location.search).get('tab')
  return isTabId(t) ? t : 'content'
}

/** The open tab, kept in the address (`?tab=install`) so a reload or a link lands on it. */
export function useConfigTab(): [TabId, (tab: TabId) => void] {
  const [tab, setTabState] = useState<TabId>(initialTab)
  const setTab = (t: TabId) => {
    setTabState(t)
    const url = new URL(location.href)
    if (t === 'content') url.searchParams.delete('tab')
    else url.searchParams.set('tab', t)
    history.replaceState(null, '', url.pathname + url.search)
  }
  return [tab, setTab]
}
