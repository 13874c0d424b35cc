import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase, createTestTenant } from '../../test/helpers.ts'
import type { DbHandle } from '../db/connect.ts'
import { createArticle, findKnowledgeRevision, updateArticle } from './article-repo.ts'
import { createKnowledgeBase, knowledgeBaseFor } from './knowledge-base.ts'

describe('knowledge base cache', () => {
  let database: DbHandle
  beforeAll(async () => {
    database = await createTestDatabase('sqlite')
  })
  afterAll(async () => database.close())

  const tenantWithArticle = async (title: string) => {
    const { tenantId } = await createTestTenant(database.db)
    await createArticle(database.db, tenantId, { title, body: `${title} body`, tags: [] })
    return tenantId
  }

  it('reuses the index while the revision is unchanged, rebuilds after a write', async () => {
    const tenantId = await tenantWithArticle('First')
    const kb = createKnowledgeBase(database.db)
    const a = await kb.forTenant(tenantId)
    expect(await kb.forTenant(tenantId)).toBe(a)
    expect(a.revision).toBe(await findKnowledgeRevision(database.db, tenantId))
    await createArticle(database.db, tenantId, { title: 'Second', body: 'b', tags: [] })
    const b = await kb.forTenant(tenantId)
    expect(b).not.toBe(a)
    expect(b.revision).toBe(a.revision + 1)
    expect(b.titles()).toEqual(['First', 'Second'])
  })

  it('skips the revision look-up when the caller read it, using an index at least that recent', async () => {
    const tenantId = await tenantWithArticle('Known revision')
    const kb = createKnowledgeBase(database.db)
    const a = await kb.forTenant(tenantId)
    expect(await kb.forTenant(tenantId, { revision: a.revision })).toBe(a)
    // An index newer than what the caller read is as good.
    expect(await kb.forTenant(tenantId, { revision: a.revision - 1 })).toBe(a)
    await createArticle(database.db, tenantId, { title: 'Later', body: 'b', tags: [] })
    const revision = await findKnowledgeRevision(database.db, tenantId)
    const b = await kb.forTenant(tenantId, { revision })
    expect(b).not.toBe(a)
    expect(b.revision).toBe(revision)
    expect(b.titles()).toEqual(['Known revision', 'Later'])
    expect(await kb.forTenant(tenantId)).toBe(b)
  })

  it('builds once for concurrent callers', async () => {
    const tenantId = await tenantWithArticle('Concurrent')
    const kb = createKnowledgeBase(database.db)
    const all = await Promise.all(Array.from({ length: 10 }, () => kb.forTenant(tenantId)))
    for (const x of all) expect(x).toBe(all[0])
  })

  it('evicts the least recently used tenant beyond maxTenants', async () => {
    const [t1, t2, t3] = [
      await tenantWithArticle('One'),
      await tenantWithArticle('Two'),
      await tenantWithArticle('Three'),
    ]
    const kb = createKnowledgeBase(database.db, { maxTenants: 2 })
    const one = await kb.forTenant(t1)
    const two = await kb.forTenant(t2)
    expect(await kb.forTenant(t1)).toBe(one) // t1 is now the most recently used
    await kb.forTenant(t3) // evicts t2
    expect(await kb.forTenant(t1)).toBe(one)
    expect(await kb.forTenant(t2)).not.toBe(two)
  })

  it('an empty tenant has an empty index', async () => {
    const { tenantId } = await createTestTenant(database.db)
    const index = await createKnowledgeBase(database.db).forTenant(tenantId)
    expect(index.size).toBe(0)
    expect(index.revision).toBe(0)
    expect(index.search('anything at all')).toEqual([])
  })

  it('answers a repeated question from its cache, until an article changes', async () => {
    const { tenantId } = await createTestTenant(database.db)
    const article = await createArticle(database.db, tenantId, {
      title: 'Reset your password',
      body: 'Open the portal and choose "Forgot password".',
      tags: ['password'],
    })
    const kb = createKnowledgeBase(database.db)
    const before = await kb.forTenant(tenantId)
    const hits = before.search('I forgot my password')
    expect(hits[0]?.article.title).toBe('Reset your password')
    expect(hits[0]?.confident).toBe(true)
    // Shared, so frozen: nobody can change what the next caller gets.
    expect(before.search('I forgot my password')).toBe(hits)
    expect(Object.isFrozen(hits) && Object.isFrozen(hits[0])).toBe(true)
    expect(() => {
      ;(hits[0] as { confident: boolean }).confident = false
    }).toThrow(TypeError)
    // Another limit is another question.
    expect(before.search('I forgot my password', { limit: 1 })).not.toBe(hits)

    await updateArticle(database.db, tenantId, article.id, {
      title: 'Unlock your account',
      body: 'Call the service desk to unlock the account.',
      tags: ['account'],
    })
    const after = await kb.forTenant(tenantId)
    expect(after).not.toBe(before)
    expect(after.search('I forgot my password')[0]?.article.title).not.toBe('Reset your password')
    expect(after.search('unlock my account')[0]?.article.title).toBe('Unlock your account')
  })

  it('does not keep long questions', async () => {
    const tenantId = await tenantWithArticle('Printer offline')
    const index = await createKnowledgeBase(database.db).forTenant(tenantId)
    const long = `my printer is offline ${'and I really need it today '.repeat(20)}`
    const hits = index.search(long)
    expect(hits[0]?.article.title).toBe('Printer offline')
    expect(index.search(long)).not.toBe(hits)
    expect(index.search(long)).toEqual(hits)
  })

  it('one shared knowledge base per database handle', () => {
    expect(knowledgeBaseFor(database.db)).toBe(knowledgeBaseFor(database.db))
  })
})
