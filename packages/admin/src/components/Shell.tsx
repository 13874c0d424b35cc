import type { LoginResponse } from '@aurion/contract'
import type { ComponentChildren } from 'preact'
import { useEffect } from 'preact/hooks'
import { useApp } from '../lib/app-context.ts'
import { canOpen } from '../lib/roles.ts'
import { BASE, linkClick } from '../lib/router.ts'
import { AvailabilitySwitch } from './AvailabilitySwitch.tsx'
import { Icon, type IconName } from './Icon.tsx'

interface NavItem {
  route: string
  label: string
  icon: IconName
}

const NAV: { section: string; items: NavItem[] }[] = [
  {
    section: 'Overview',
    items: [{ route: '/insights', label: 'Insights', icon: 'sparkles' }],
  },
  {
    section: 'Configuration',
    items: [
      { route: '/widget', label: 'Voice Widget', icon: 'widget' },
      { route: '/api-keys', label: 'API keys', icon: 'key' },
      { route: '/integrations', label: 'Integrations', icon: 'external' },
      { route: '/team', label: 'Team', icon: 'user' },
      { route: '/privacy', label: 'Privacy', icon: 'key' },
    ],
  },
  {
    section: 'Assistant',
    items: [
      { route: '/knowledge', label: 'Knowledge', icon: 'book' },
      { route: '/help-center', label: 'Help Center', icon: 'globe' },
    ],
  },
  {
    section: 'Activity',
    items: [{ route: '/conversations', label: 'Conversations', icon: 'inbox' }],
  },
  {
    section: 'Account',
    items: [{ route: '/account', label: 'Sign-in & security', icon: 'shield' }],
  },
]

const TITLES: Record<string, string> = {
  '/insights': 'Insights',
  '/widget': 'Voice Widget',
  '/api-keys': 'API keys',
  '/integrations': 'Integrations',
  '/knowledge': 'Knowledge',
  '/help-center': 'Help Center',
  '/conversations': 'Conversations',
  '/team': 'Team',
  '/account': 'Sign-in & security',
}

/** Sidebar navigation, the signed-in user, and the page. */
export function Shell({
  route,
  user,
  children,
}: {
  route: string
  user: LoginResponse['user']
  children: ComponentChildren
}) {
  const { me, signOut } = useApp()
  const role = me?.user.role ?? user.role
  const nav = NAV.map((g) => ({
    ...g,
    items: g.items.filter((i) => canOpen(role, i.route)),
  })).filter((g) => g.items.length > 0)
  const top = `/${route.split('/')[1] ?? ''}`
  useEffect(() => {
    document.title = `${TITLES[top] ?? 'Console'} · Aurion`
    // On a phone the pages are one row that scrolls sideways: keep the current one in sight.
    const nav = document.querySelector<HTMLElement>('.sidebar nav')
    const active = nav?.querySelector<HTMLElement>('.nav-link.active')
    if (nav && active && nav.scrollWidth > nav.clientWidth)
      nav.scrollLeft = active.offsetLeft - nav.offsetLeft - 12
  }, [top])
  const initials = (user.name ?? user.email)
    .split(/[\s@.]+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((w) => w[0]!.toUpperCase())
    .join('')
  return (
    <div class="shell">
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <aside class="sidebar">
        <a class="brand" href={`${BASE}/`} onClick={linkClick('/')}>
          <span class="brand-mark" aria-hidden="true">
            A
          </span>
          <span class="brand-text">
            <span class="brand-name">Aurion</span>
            <span class="brand-sub">{me?.tenant.name ?? 'Console'}</span>
          </span>
        </a>
        <nav aria-label="Console">
          {nav.map((group) => (
            <div class="nav-group" key={group.section}>
              <p class="nav-section">{group.section}</p>
              <ul>
                {group.items.map((item) => {
                  const active = top === item.route
                  return (
                    <li key={item.route}>
                      <a
                        href={BASE + item.route}
                        class={active ? 'nav-link active' : 'nav-link'}
                        aria-current={active ? 'page' : undefined}
                        onClick={linkClick(item.route)}
                      >
                        <Icon name={item.icon} />
                        {item.label}
                      </a>
                    </li>
                  )
                })}
              </ul>
            </div>
          ))}
        </nav>
        <div class="sidebar-foot">
          <a class="nav-link" href="/docs" target="_blank" rel="noopener noreferrer">
            <Icon name="code" />
            API reference
            <Icon name="external" size={14} class="muted-icon" />
          </a>
          <AvailabilitySwitch />
          <div class="user-card">
            <span class="avatar" aria-hidden="true">
              {initials}
            </span>
            <span class="user-text">
              <span class="user-name">{user.name ?? user.email}</span>
              {user.name && <span class="user-email">{user.email}</span>}
            </span>
            <button
              type="button"
              class="icon-btn"
              aria-label="Sign out"
              title="Sign out"
              onClick={() => void signOut()}
            >
              <Icon name="logout" />
            </button>
          </div>
        </div>
      </aside>
      <main id="main" class="main" tabIndex={-1}>
        {children}
      </main>
    </div>
  )
}
