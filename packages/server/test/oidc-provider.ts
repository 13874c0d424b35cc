import { generateKeyPairSync } from 'node:crypto'
import { once } from 'node:events'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import Provider from 'oidc-provider'

const SIGNING_KEY = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({
  format: 'jwk',
})

/** What the test's identity provider says about one of its users (`sub` is the login). */
export interface IdpAccount {
  email?: string
  email_verified?: boolean
  name?: string
  groups?: string[]
}

export interface TestIdp {
  /** `http://127.0.0.1:<port>`: the issuer, with discovery at `/.well-known/openid-configuration`. */
  issuer: string
  clientId: string
  clientSecret: string
  /** The provider's users by login; change them between sign-ins. */
  accounts: Map<string, IdpAccount>
  close(): Promise<void>
}

/**
 * A real OpenID provider (the `oidc-provider` package) on a loopback port, with one confidential
 * client whose redirect URI is `redirectUri`, PKCE required, and its development login and
 * consent pages (any password; the login is the account id), which {@link signInAtIdp} submits.
 */
export async function startTestIdp(opts: { redirectUri: string }): Promise<TestIdp> {
  const accounts = new Map<string, IdpAccount>()
  const clientId = 'aurion-console'
  const clientSecret = 'idp-client-secret-0123456789abcdef'
  // The issuer's port is only known once listening: bind first, then hand the server to Koa.
  const server: Server = createServer()
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: [opts.redirectUri],
        response_types: ['code'],
        grant_types: ['authorization_code'],
      },
    ],
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name'],
      groups: ['groups'],
    },
    scopes: ['openid', 'email', 'profile', 'groups'],
    pkce: { required: () => true },
    ttl: {
      AccessToken: 600,
      AuthorizationCode: 60,
      Grant: 3600,
      IdToken: 600,
      Interaction: 600,
      Session: 3600,
    },
    cookies: { keys: ['test-idp-cookie-key-0123456789'] },
    // Its own signing key (RS256), made for this run.
    jwks: { keys: [{ ...SIGNING_KEY, kid: 'test-idp', use: 'sig', alg: 'RS256' }] },
    async findAccount(_ctx, id) {
      const account = accounts.get(id)
      if (!account) return undefined
      return { accountId: id, claims: async () => ({ sub: id, ...account }) }
    },
  })
  server.on('request', provider.callback())
  return {
    issuer,
    clientId,
    clientSecret,
    accounts,
    async close() {
      server.closeAllConnections()
      server.close()
      await once(server, 'close')
    },
  }
}

/** Cookies of one simulated browser: by name, with the path they were set for. */
export class CookieJar {
  #cookies = new Map<string, { value: string; path: string }>()

  header(url: URL): string {
    return [...this.#cookies.entries()]
      .filter(([, c]) => url.pathname.startsWith(c.path))
      .map(([name, c]) => `${name}=${c.value}`)
      .join('; ')
  }

  store(res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair = '', ...attrs] = line.split(';').map((s) => s.trim())
      const eq = pair.indexOf('=')
      const name = pair.slice(0, eq)
      const value = pair.slice(eq + 1)
      const path = attrs.find((a) => a.toLowerCase().startsWith('path='))?.slice(5) ?? '/'
      const maxAge = attrs.find((a) => a.toLowerCase().startsWith('max-age='))
      const expired = maxAge !== undefined && Number(maxAge.slice(8)) <= 0
      if (value === '' || expired) this.#cookies.delete(name)
      else this.#cookies.set(name, { value, path })
    }
  }

  get(name: string): string | undefined {
    return this.#cookies.get(name)?.value
  }

  delete(name: string): void {
    this.#cookies.delete(name)
  }

  /** One request as this browser makes it: its cookies sent, the answer's stored, no redirect followed. */
  async fetch(url: string | URL, init: RequestInit = {}): Promise<Response> {
    const u = new URL(url)
    const headers = new Headers(init.headers)
    const cookie = this.header(u)
    if (cookie !== '') headers.set('cookie', cookie)
    const res = await fetch(u, { ...init, headers, redirect: 'manual' })
    this.store(res)
    return res
  }
}

/**
 * Plays the browser at the provider: follows its redirects from the authorization URL, submits
 * its login form as `login` and its consent form, and returns the URL it finally redirects to
 * (the relying party's callback, not requested). Fails if the provider answers anything else.
 */
export async function signInAtIdp(jar: CookieJar, authorizationUrl: string, login: string) {
  let url = new URL(authorizationUrl)
  let res = await jar.fetch(url)
  for (let step = 0; step < 20; step++) {
    if (res.status >= 300 && res.status < 400) {
      const next = new URL(res.headers.get('location') ?? '', url)
      if (next.origin !== url.origin || !next.pathname.match(/^\/(auth|interaction)/)) {
        return next.href
      }
      url = next
      res = await jar.fetch(url)
      continue
    }
    const html = await res.text()
    if (res.status !== 200) throw new Error(`the provider answered ${res.status}: ${html}`)
    const action = html.match(/<form[^>]*action="([^"]+)"/)?.[1]
    const prompt = html.match(/name="prompt" value="([^"]+)"/)?.[1]
    if (!action || !prompt) throw new Error(`no form in the provider's page: ${html}`)
    const form = new URLSearchParams({ prompt })
    if (prompt === 'login') {
      form.set('login', login)
      form.set('password', 'any password')
    }
    url = new URL(action.replaceAll('&amp;', '&'), url)
    res = await jar.fetch(url, {
      method: 'POST',
      body: form,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    })
  }
  throw new Error('the provider did not finish within 20 steps')
}
