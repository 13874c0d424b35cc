import { TRANSLATABLE_FIELDS } from '@aurion/contract'

export type TabId = 'content' | 'appearance' | 'languages' | 'security' | 'install'

export const TABS: { id: TabId; label: string }[] = [
  { id: 'content', label: 'Content' },
  { id: 'appearance', label: 'Appearance' },
  { id: 'languages', label: 'Languages' },
  { id: 'security', label: 'Access & security' },
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
