import { afterEach, beforeEach, expect, it } from 'vitest'
import { createTestDatabase, createTestTenant, forEachDialect } from '../../test/helpers.ts'
import { createAdminUser } from '../admin-users/user-repo.ts'
import type { DbHandle } from '../db/connect.ts'
import { availableAgents, effectiveAvailability, setChosenAvailability } from './availability.ts'
import { removePresence, touchPresence } from './presence-repo.ts'

const T0 = new Date('2026-12-06T10:00:00.000Z')
const at = (sec: number) => new Date(T0.getTime() + sec * 1000)

forEachDialect('availableAgents (who can take a conversation now)', (dialect) => {
  let h: DbHandle
  let tenantId: string
  let otherTenantId: string
  const users: Record<string, string> = {}

  beforeEach(async () => {
    h = await createTestDatabase(dialect)
    tenantId = (await createTestTenant(h.db, { name: 'Acme' })).tenantId
    otherTenantId = (await createTestTenant(h.db, { name: 'Other' })).tenantId
    for (const [key, role, tenant] of [
      ['owner', 'owner', tenantId],
      ['agent', 'agent', tenantId],
      ['outsider', 'agent', otherTenantId],
    ] as const) {
      const row = await createAdminUser(h.db, {
        tenantId: tenant,
        email: `${key}@acme.test`,
        name: key,
        password: 'a long enough password',
        role,
      })
      users[key] = row.id
    }
  })
  afterEach(async () => h.close())

  const ids = async (now: Date) => (await availableAgents(h.db, tenantId, now)).map((a) => a.name)
  const beat = (key: string, tabId: string, now: Date, tenant = tenantId) =>
    touchPresence(h.db, { userId: users[key]!, tenantId: tenant, tabId, now })

  it('nobody is online while no console tab is open', async () => {
    expect(await ids(T0)).toEqual([])
  })

  it('a user with an open tab is online until the heartbeat is 90 s old', async () => {
    await beat('agent', 'tab-agent-1', T0)
    expect(await availableAgents(h.db, tenantId, at(1))).toEqual([
      { id: users.agent, email: 'agent@acme.test', name: 'agent', role: 'agent' },
    ])
    expect(await ids(at(89))).toEqual(['agent'])
    expect(await ids(at(90))).toEqual([])
    // A heartbeat brings them back.
    await beat('agent', 'tab-agent-1', at(120))
    expect(await ids(at(121))).toEqual(['agent'])
  })

  it('closing the last tab makes them away at once; another open tab keeps them online', async () => {
    await beat('owner', 'tab-owner-1', T0)
    await beat('owner', 'tab-owner-2', T0)
    await removePresence(h.db, users.owner!, 'tab-owner-1')
    expect(await ids(at(1))).toEqual(['owner'])
    await removePresence(h.db, users.owner!, 'tab-owner-2')
    expect(await ids(at(1))).toEqual([])
  })

  it('a user who chose away is away even with a tab open', async () => {
    await beat('owner', 'tab-owner-1', T0)
    await beat('agent', 'tab-agent-1', T0)
    await setChosenAvailability(h.db, users.agent!, 'away')
    expect(await ids(at(1))).toEqual(['owner'])
    await setChosenAvailability(h.db, users.agent!, 'online')
    expect(await ids(at(1))).toEqual(['agent', 'owner'])
  })

  it("never lists another tenant's users", async () => {
    await beat('outsider', 'tab-outsider', T0, otherTenantId)
    expect(await ids(at(1))).toEqual([])
    expect((await availableAgents(h.db, otherTenantId, at(1))).map((a) => a.name)).toEqual([
      'outsider',
    ])
  })

  it('effectiveAvailability reads the choice and the newest heartbeat the same way', () => {
    expect(effectiveAvailability('online', T0.toISOString(), at(10))).toBe('online')
    expect(effectiveAvailability('online', T0.toISOString(), at(90))).toBe('away')
    expect(effectiveAvailability('away', T0.toISOString(), at(10))).toBe('away')
    expect(effectiveAvailability('online', undefined, at(10))).toBe('away')
  })
})
