import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readUntilAborted, turn } from '../../test/agent-support.ts'
import { createTestDatabase, createTestTenant, forEachDialect } from '../../test/helpers.ts'
import type { DbHandle } from '../db/connect.ts'
import { createArticle, deleteArticle, updateArticle } from '../knowledge/article-repo.ts'
import { DEMO_ARTICLES, seedDemoArticles } from '../knowledge/demo-articles.ts'
import { createKnowledgeBase } from '../knowledge/knowledge-base.ts'
import { type Agent, type AgentRequest, type AgentTurn, AgentUnavailableError } from './agent.ts'
import { createBuiltinAgent } from './builtin-agent.ts'

async function collect(
  agent: Agent,
  tenantId: string,
  history: AgentTurn[],
  extra: Partial<AgentRequest> = {},
) {
  const reply = agent.reply({ tenantId, conversationId: 'conv_test', history, ...extra })
  const chunks: string[] = []
  for await (const c of reply) chunks.push(c)
  return {
    chunks,
    text: chunks.join(''),
    sources: await reply.sources,
    followUps: (await reply.followUps) ?? [],
  }
}

/** The assistant turn as the conversation stores it: the text, and the titles it cited. */
const replyTurn = (r: Awaited<ReturnType<typeof collect>>, channel: AgentTurn['channel']) => ({
  ...turn('assistant', r.text, channel),
  sources: r.sources.map((s) => s.title),
})

/** A conversation driver: each `ask` adds the visitor turn and the agent's reply to the history. */
function conversation(agent: Agent, tenantId: string, channel: AgentTurn['channel'] = 'chat') {
  const history: AgentTurn[] = []
  return {
    history,
    async ask(text: string) {
      history.push(turn('visitor', text, channel))
      const r = await collect(agent, tenantId, history)
      history.push(replyTurn(r, channel))
      return r
    },
  }
}

const titles = DEMO_ARTICLES.map((a) => a.title)

describe('built-in agent on the demo articles', () => {
  let database: DbHandle
  let tenantId: string
  let agent: Agent

  beforeAll(async () => {
    database = await createTestDatabase('sqlite')
    tenantId = (await createTestTenant(database.db)).tenantId
    expect(await seedDemoArticles(database.db, tenantId)).toBe(DEMO_ARTICLES.length)
    agent = createBuiltinAgent({ knowledge: createKnowledgeBase(database.db) })
  })
  afterAll(async () => database.close())

  it('ships 8–12 well-formed demo articles within the API limits', () => {
    expect(DEMO_ARTICLES.length).toBeGreaterThanOrEqual(8)
    expect(DEMO_ARTICLES.length).toBeLessThanOrEqual(12)
    for (const a of DEMO_ARTICLES) {
      expect(a.title.length).toBeLessThanOrEqual(200)
      expect(a.body.length).toBeLessThanOrEqual(20_000)
      expect(a.tags.length).toBeLessThanOrEqual(20)
      for (const tag of a.tags) expect(tag.length).toBeLessThanOrEqual(40)
      expect(a.body).toMatch(/^## /m)
    }
  })

  it('seeding twice does not duplicate the articles', async () => {
    expect(await seedDemoArticles(database.db, tenantId)).toBe(0)
  })

  const QUESTIONS: [string, string][] = [
    ['I forgot my password', 'Reset your password'],
    ['How do I change my expired password?', 'Reset your password'],
    ['My account is locked', 'Unlock your account after too many sign-in attempts'],
    [
      'I got locked out after typing my password wrong too many times',
      'Unlock your account after too many sign-in attempts',
    ],
    ['How do I set up the authenticator app?', 'Set up multi-factor authentication (MFA)'],
    ['I got a new phone, how do I move my 2FA?', 'Set up multi-factor authentication (MFA)'],
    ['How do I connect to the VPN from home?', 'Connect to the VPN'],
    ['vpn keeps disconnecting', 'Connect to the VPN'],
    ['How do I get on the wifi?', 'Connect to the office Wi-Fi'],
    ["What's the guest wireless for visitors?", 'Connect to the office Wi-Fi'],
    ['How do I get my work email on my iPhone?', 'Set up work email on your phone'],
    ['outlook not syncing on android', 'Set up work email on your phone'],
    ['How do I add a printer?', 'Add a printer and fix printing problems'],
    ['my print job is stuck', 'Add a printer and fix printing problems'],
    ['My laptop is really slow', 'My computer is slow'],
    ['computer keeps freezing', 'My computer is slow'],
    ['How do I install Slack?', 'Request new software'],
    ['I need admin rights to install a program', 'Request new software'],
    ["People can't hear me on Teams", 'Fix microphone, camera and sound in video calls'],
    ['my webcam shows a black screen', 'Fix microphone, camera and sound in video calls'],
    ['I got a suspicious email', 'Report a phishing or suspicious email'],
    ['I clicked a link in a weird email', 'Report a phishing or suspicious email'],
    ['I need access to the finance shared folder', 'Get access to a shared folder or team site'],
    ['access denied on a sharepoint site', 'Get access to a shared folder or team site'],
    ['Hi there! pasword reset please', 'Reset your password'],
  ]

  it('covers every demo article with the questions below', () => {
    expect(new Set(QUESTIONS.map(([, t]) => t))).toEqual(new Set(titles))
  })

  it.each(QUESTIONS)('"%s" → %s', async (question, title) => {
    const r = await conversation(agent, tenantId).ask(question)
    expect(r.sources[0]?.title).toBe(title)
    // The source is structured (a card in the widget), not a line of the text.
    expect(r.text).not.toMatch(/Source:|Just ask/)
    const article = DEMO_ARTICLES.find((a) => a.title === title)!
    // An answer, not the article dumped whole.
    expect(r.text.length).toBeLessThan(article.body.length)
    expect(r.text).not.toMatch(/^## /m)
  })

  it('answers with the relevant section: the Mac steps for a Mac question', async () => {
    const r = await conversation(agent, tenantId).ask('How do I connect to the VPN on my Mac?')
    expect(r.text).toContain('On a Mac:')
    expect(r.text).toContain('Click the GlobalProtect globe icon in the menu bar')
    expect(r.text).not.toContain('system tray')
    expect(r.followUps).toEqual(expect.arrayContaining(['On Windows', "If the VPN won't connect"]))
    expect(r.followUps).not.toContain('On a Mac')
    expect(r.text).not.toContain('This article also covers')
  })

  it('gives the troubleshooting section when the visitor says it is not working', async () => {
    const r = await conversation(agent, tenantId).ask("My VPN won't connect")
    expect(r.text).toContain("If the VPN won't connect:")
    expect(r.text).toContain('Check that you have normal internet access')
  })

  it('streams several sentence-sized chunks that add up to the answer', async () => {
    const r = await conversation(agent, tenantId).ask('How do I reset my password?')
    expect(r.chunks.length).toBeGreaterThan(5)
    for (const c of r.chunks) expect(c.length).toBeLessThanOrEqual(120)
    expect(r.chunks.some((c) => c.startsWith('1. Open the IT portal'))).toBe(true)
  })

  it('resolves sources without the reply being iterated first', async () => {
    const reply = agent.reply({
      tenantId,
      conversationId: 'c',
      history: [turn('visitor', 'printer jammed')],
    })
    expect(await reply.sources).toEqual([
      { id: expect.stringMatching(/^kb_/), title: 'Add a printer and fix printing problems' },
    ])
    const chunks: string[] = []
    for await (const c of reply) chunks.push(c)
    expect(chunks.join('')).toContain('Paper jams and toner:')
  })

  it('stops with an AbortError when the caller aborts', async () => {
    const controller = new AbortController()
    const reply = agent.reply({
      tenantId,
      conversationId: 'c',
      history: [turn('visitor', 'How do I reset my password?')],
      signal: controller.signal,
    })
    const chunks = await readUntilAborted(reply, controller)
    expect(chunks).toHaveLength(1)
  })

  it('refuses a second iteration of one reply', async () => {
    const reply = agent.reply({ tenantId, conversationId: 'c', history: [turn('visitor', 'hi')] })
    for await (const _ of reply) {
      // drain
    }
    expect(() => reply[Symbol.asyncIterator]()).toThrow(/only once/)
  })

  describe('follow-ups use the conversation', () => {
    it('"what if that doesn\'t work?" continues with the troubleshooting steps', async () => {
      const c = conversation(agent, tenantId)
      const first = await c.ask('How do I reset my password?')
      expect(first.text).toContain('Reset it yourself:')
      const next = await c.ask("What if that doesn't work?")
      expect(next.sources[0]?.title).toBe('Reset your password')
      expect(next.text).toContain("If that doesn't work:")
      expect(next.text).toContain('call the IT Service Desk on extension 4357')
      // It does not repeat what was already said.
      expect(next.text).not.toContain('Reset it yourself:')
    })

    it('"and on a mac?" combines with the previous topic', async () => {
      const c = conversation(agent, tenantId)
      const first = await c.ask('How do I connect to the VPN on Windows?')
      expect(first.text).toContain('On Windows:')
      const next = await c.ask('and on a mac?')
      expect(next.sources[0]?.title).toBe('Connect to the VPN')
      expect(next.text).toContain('On a Mac:')
      expect(next.text).toContain('menu bar')
    })

    it('the same follow-up after another topic follows that topic', async () => {
      const c = conversation(agent, tenantId)
      await c.ask('How do I add a printer?')
      const next = await c.ask('and on a mac?')
      expect(next.sources[0]?.title).toBe('Add a printer and fix printing problems')
      expect(next.text).toContain('Printers & Scanners')
    })

    it('a new question changes the topic even when phrased like a follow-up', async () => {
      const c = conversation(agent, tenantId)
      await c.ask('vpn keeps disconnecting')
      const next = await c.ask('and what about printing?')
      expect(next.sources[0]?.title).toBe('Add a printer and fix printing problems')
    })

    it('keeps the topic across a thank-you', async () => {
      const c = conversation(agent, tenantId)
      await c.ask('How do I set up the authenticator app?')
      const thanks = await c.ask('thanks!')
      expect(thanks.sources).toEqual([])
      const next = await c.ask('what if the codes are rejected?')
      expect(next.sources[0]?.title).toBe('Set up multi-factor authentication (MFA)')
      expect(next.text).toContain('automatic date and time')
    })

    it('says so when the article has nothing on a follow-up detail', async () => {
      const c = conversation(agent, tenantId)
      await c.ask('How do I connect to the VPN on Windows?')
      const next = await c.ask('and on linux?')
      expect(next.text).toMatch(/doesn't cover that specifically/)
      expect(next.followUps).toContain('On a Mac')
    })

    it('when everything was said, suggests the support team instead of repeating', async () => {
      const c = conversation(agent, tenantId)
      await c.ask('I got a suspicious email')
      for (let i = 0; i < 4; i++) await c.ask('and then?')
      const last = await c.ask("it still doesn't work")
      expect(last.text).toMatch(/support team/)
    })

    it('continues a topic started in a voice call when the visitor switches to chat', async () => {
      const history: AgentTurn[] = [
        turn('visitor', 'How do I connect to the VPN on Windows?', 'voice'),
      ]
      const spoken = await collect(agent, tenantId, history)
      expect(spoken.text).toContain('That\'s from our help article "Connect to the VPN".')
      history.push(replyTurn(spoken, 'voice'), turn('visitor', 'and on a mac?'))
      const typed = await collect(agent, tenantId, history)
      expect(typed.sources[0]?.title).toBe('Connect to the VPN')
      expect(typed.text).toContain('On a Mac:')
    })
  })

  describe('small talk', () => {
    it.each([
      ['hi', /^Hi! I'm the virtual help desk assistant/],
      ['Good morning!', /^Hi! I'm the virtual help desk assistant/],
      ['thanks!', /^You're welcome/],
      ['Thank you so much', /^You're welcome/],
      ['that worked, thanks', /^Great, glad that sorted it out/],
      ['bye', /^Thanks for chatting/],
      ['what can you do?', /I answer questions from our help articles/],
      ['can I talk to a human?', /I'm an automated assistant/],
    ])('%s', async (text, expected) => {
      const r = await conversation(agent, tenantId).ask(text)
      expect(r.text).toMatch(expected)
      expect(r.sources).toEqual([])
      expect(r.text).not.toMatch(/^Source:/m)
    })

    it('a greeting offers some of the tenant’s topics as follow-ups', async () => {
      const r = await conversation(agent, tenantId).ask('hello')
      const offered = titles.filter((t) => r.followUps.includes(t))
      expect(offered.length).toBeGreaterThanOrEqual(3)
    })

    it('"thanks, but it still doesn\'t work" is a follow-up, not a thank-you', async () => {
      const c = conversation(agent, tenantId)
      await c.ask('my laptop is slow')
      const r = await c.ask("thanks, but it still doesn't work")
      expect(r.sources[0]?.title).toBe('My computer is slow')
      expect(r.text).toContain("If it's still slow:")
    })
  })

  describe('when nothing matches', () => {
    it.each([
      'What is the capital of France?',
      'blorfing zanzibar quokkas',
      'Is the office open on Sunday?',
      'tell me a joke',
      'how to open it',
    ])('"%s" → an honest fallback offering what it can help with', async (q) => {
      const r = await conversation(agent, tenantId).ask(q)
      expect(r.text).toMatch(/^I couldn't find that in our help articles\. Could you rephrase/)
      expect(r.sources).toEqual([])
      const offered = titles.filter((t) => r.followUps.includes(t))
      expect(offered.length).toBeGreaterThanOrEqual(3)
    })

    it('offers the nearest misses first', async () => {
      const r = await conversation(agent, tenantId).ask('email')
      expect(r.followUps.slice(0, 2).sort()).toEqual([
        'Report a phishing or suspicious email',
        'Set up work email on your phone',
      ])
    })
  })

  describe('voice', () => {
    it('answers in speakable sentences with a spoken citation', async () => {
      const r = await conversation(agent, tenantId, 'voice').ask('How do I add a printer on a Mac?')
      expect(r.sources[0]?.title).toBe('Add a printer and fix printing problems')
      expect(r.text).not.toMatch(/^\s*(?:\d+\.|-)\s/m)
      expect(r.text).not.toContain('Source:')
      expect(r.text).toContain(
        'That\'s from our help article "Add a printer and fix printing problems".',
      )
      expect(r.text).toContain('System Settings, then Printers & Scanners')
    })
  })

  it("another tenant's agent knows nothing of these articles", async () => {
    const other = await createTestTenant(database.db, { name: 'Other' })
    const r = await conversation(agent, other.tenantId).ask('How do I reset my password?')
    expect(r.sources).toEqual([])
    expect(r.text).toMatch(/^I couldn't find that: there are no help articles here yet/)
  })
})

forEachDialect('built-in agent index freshness', (dialect) => {
  let database: DbHandle
  beforeAll(async () => {
    database = await createTestDatabase(dialect)
  })
  afterAll(async () => database.close())

  it('an edit through one instance is seen at once by another instance’s cache', async () => {
    const { tenantId } = await createTestTenant(database.db)
    // Two knowledge bases = two server instances with their own in-memory caches.
    const one = createBuiltinAgent({ knowledge: createKnowledgeBase(database.db) })
    const two = createBuiltinAgent({ knowledge: createKnowledgeBase(database.db) })
    const ask = async (agent: Agent, q: string) =>
      (await collect(agent, tenantId, [turn('visitor', q)])).sources.map((s) => s.title)

    expect(await ask(two, 'How do I book a meeting room?')).toEqual([])
    const row = await createArticle(database.db, tenantId, {
      title: 'Book a meeting room',
      body: 'Open the room calendar in Outlook and add the room as an attendee.',
      tags: ['meeting room'],
    })
    expect(await ask(one, 'How do I book a meeting room?')).toEqual(['Book a meeting room'])
    expect(await ask(two, 'How do I book a meeting room?')).toEqual(['Book a meeting room'])

    // Several edits within one millisecond are still seen (the revision counter, not a clock).
    await updateArticle(database.db, tenantId, row.id, { title: 'Reserve a conference room' })
    await updateArticle(database.db, tenantId, row.id, { tags: ['conference room', 'meeting'] })
    expect(await ask(two, 'How do I reserve a conference room?')).toEqual([
      'Reserve a conference room',
    ])
    await deleteArticle(database.db, tenantId, row.id)
    expect(await ask(one, 'How do I reserve a conference room?')).toEqual([])
    expect(await ask(two, 'How do I reserve a conference room?')).toEqual([])
  })

  it('a database failure surfaces as AgentUnavailableError from the iterator', async () => {
    const broken = await createTestDatabase(dialect)
    const { tenantId } = await createTestTenant(broken.db)
    const agent = createBuiltinAgent({ knowledge: createKnowledgeBase(broken.db) })
    await broken.close()
    const reply = agent.reply({ tenantId, conversationId: 'c', history: [turn('visitor', 'vpn')] })
    await expect(reply.sources).rejects.toBeInstanceOf(AgentUnavailableError)
    await expect(async () => {
      for await (const _ of reply) {
        // drain
      }
    }).rejects.toBeInstanceOf(AgentUnavailableError)
  })
})
