import {
  SSO_LIMITS,
  type SsoRoleMapping,
  type SsoSettings,
  type SsoSettingsUpdate,
  TEAM_ROLES,
  type TeamRole,
} from '@aurion/contract'
import { useEffect, useId, useState } from 'preact/hooks'
import { endpoints } from '../api/endpoints.ts'
import { CopyButton, LoadError, Loading } from '../components/Bits.tsx'
import { TextField, Toggle } from '../components/Field.tsx'
import { useApp } from '../lib/app-context.ts'
import { ROLE_LABEL } from '../lib/roles.ts'
import { toast } from '../lib/toast.ts'
import { errorMessage, useAsync } from '../lib/use-async.ts'

/** `it-admins: admin` per line → rules; the first bad line's number when one is not a rule. */
export function parseRoleMappings(text: string): SsoRoleMapping[] | { badLine: number } {
  const rules: SsoRoleMapping[] = []
  const lines = text.split('\n')
  for (const [i, line] of lines.entries()) {
    if (line.trim() === '') continue
    const at = line.lastIndexOf(':')
    const value = line.slice(0, at).trim()
    const role = line
      .slice(at + 1)
      .trim()
      .toLowerCase()
    if (at < 1 || value === '' || !(TEAM_ROLES as readonly string[]).includes(role)) {
      return { badLine: i + 1 }
    }
    rules.push({ value, role: role as TeamRole })
  }
  return rules
}

export function formatRoleMappings(rules: readonly SsoRoleMapping[]): string {
  return rules.map((r) => `${r.value}: ${r.role}`).join('\n')
}

/**
 * The workspace's single sign-on (owners only): the OpenID provider, the email domains it may
 * sign in, and which of its groups become which role. The client secret is write-only.
 */
export function SsoCard() {
  const { api } = useApp()
  const settings = useAsync(() => api.send<SsoSettings>(endpoints.ssoSettings()), [api])
  const s = settings.data
  const [enabled, setEnabled] = useState(false)
  const [issuer, setIssuer] = useState('')
  const [clientId, setClientId] = useState('')
  const [secret, setSecret] = useState('')
  const [domains, setDomains] = useState('')
  const [claim, setClaim] = useState('groups')
  const [mappings, setMappings] = useState('')
  const [defaultRole, setDefaultRole] = useState<TeamRole | ''>('agent')
  const [busy, setBusy] = useState(false)
  const [mappingError, setMappingError] = useState<string | undefined>(undefined)
  const roleId = useId()

  useEffect(() => {
    if (!s) return
    setEnabled(s.enabled)
    setIssuer(s.issuer ?? '')
    setClientId(s.client_id ?? '')
    setSecret('')
    setDomains(s.allowed_domains.join(', '))
    setClaim(s.role_claim)
    setMappings(formatRoleMappings(s.role_mappings))
    setDefaultRole(s.default_role ?? '')
  }, [s])

  const save = async (e: Event) => {
    e.preventDefault()
    const rules = parseRoleMappings(mappings)
    if (!Array.isArray(rules)) {
      setMappingError(`Line ${rules.badLine}: write a group, a colon and owner, admin or agent.`)
      return
    }
    setMappingError(undefined)
    const body: SsoSettingsUpdate = {
      enabled,
      issuer: issuer.trim(),
      client_id: clientId.trim(),
      ...(secret.trim() !== '' ? { client_secret: secret.trim() } : {}),
      allowed_domains: domains
        .split(/[\s,]+/)
        .map((d) => d.trim())
        .filter(Boolean)
        .slice(0, SSO_LIMITS.domains),
      role_claim: claim.trim() || 'groups',
      role_mappings: rules,
      default_role: defaultRole === '' ? null : defaultRole,
    }
    setBusy(true)
    try {
      settings.setData(await api.send<SsoSettings>(endpoints.saveSsoSettings(body)))
      toast.success(enabled ? 'Single sign-on is on' : 'Single sign-on settings saved')
    } catch (err) {
      toast.error(`Not saved: ${errorMessage(err)}`)
    } finally {
      setBusy(false)
    }
  }

  return (
    <section class="card" aria-labelledby="sso-title" aria-busy={settings.loading}>
      <header class="card-head">
        <div>
          <h2 id="sso-title">Single sign-on</h2>
          <p>
            Let your team sign in with your identity provider (OpenID Connect). Only owners see
            this.
          </p>
        </div>
      </header>
      {settings.error && !s && (
        <LoadError message={settings.error} onRetry={() => void settings.reload()} />
      )}
      {!s && !settings.error && <Loading label="Loading single sign-on…" lines={3} />}
      {s && (
        <form onSubmit={save} class="stack" noValidate>
          <Toggle
            label="Sign in with single sign-on"
            description="People of the allowed domains sign in through your provider; passwords keep working."
            checked={enabled}
            onChange={setEnabled}
          />
          <div class="field">
            <span class="field-label">Redirect URI</span>
            <div class="input-affix">
              <code class="mono" data-testid="sso-redirect-uri">
                {s.redirect_uri}
              </code>{' '}
              <CopyButton text={s.redirect_uri} what="Redirect URI" small />
            </div>
            <p class="field-hint">Register this with your provider for the client.</p>
          </div>
          <TextField
            label="Issuer URL"
            name="sso-issuer"
            type="url"
            value={issuer}
            onInput={setIssuer}
            placeholder="https://login.example.com/realms/acme"
          />
          <TextField
            label="Client ID"
            name="sso-client-id"
            value={clientId}
            onInput={setClientId}
          />
          <TextField
            label="Client secret"
            name="sso-client-secret"
            type="password"
            autoComplete="new-password"
            value={secret}
            onInput={setSecret}
            placeholder={s.client_secret_set ? 'Stored — leave empty to keep it' : ''}
            hint={s.client_secret_set ? 'A secret is stored. It is never shown.' : undefined}
          />
          <TextField
            label="Allowed email domains"
            name="sso-domains"
            value={domains}
            onInput={setDomains}
            placeholder="acme.com, acme.co.uk"
            hint="Only verified addresses of these domains sign in."
          />
          <TextField
            label="Role claim"
            name="sso-role-claim"
            value={claim}
            onInput={setClaim}
            hint="The claim of the ID token (or userinfo) that lists the user's groups."
          />
          <TextField
            label="Role mapping"
            name="sso-role-mappings"
            multiline
            rows={4}
            value={mappings}
            onInput={setMappings}
            error={mappingError}
            placeholder={'support-team: agent\nit-admins: admin'}
            hint="One rule per line: a value of the claim, a colon, and owner, admin or agent. The highest matching role wins, at every sign-in."
          />
          <div class="field">
            <label class="field-label" for={roleId}>
              New users no rule matches
            </label>
            <select
              id={roleId}
              name="sso-default-role"
              class="input"
              value={defaultRole}
              onChange={(e) => setDefaultRole(e.currentTarget.value as TeamRole | '')}
            >
              {TEAM_ROLES.map((r) => (
                <option key={r} value={r}>
                  Join as {ROLE_LABEL[r]}
                </option>
              ))}
              <option value="">Refuse them</option>
            </select>
          </div>
          <div class="actions-row">
            <button type="submit" class="btn btn-primary" disabled={busy} aria-busy={busy}>
              {busy ? 'Saving…' : 'Save single sign-on'}
            </button>
          </div>
        </form>
      )}
    </section>
  )
}
