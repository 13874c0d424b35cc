import { readdirSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase, createTestTenant } from '../../test/helpers.ts'
import type { DbHandle } from '../db/connect.ts'
import { createArticle } from '../knowledge/article-repo.ts'
import { seedDemoArticles } from '../knowledge/demo-articles.ts'
import { createKnowledgeBase } from '../knowledge/knowledge-base.ts'
import { detectLanguage, LANGS } from '../knowledge/language.ts'
import type { Agent, AgentAttachment, AgentRequest, AgentTurn } from './agent.ts'
import { createBuiltinAgent } from './builtin-agent.ts'
import { PHRASES } from './phrases/index.ts'

const turn = (role: AgentTurn['role'], text: string, sources?: string[]): AgentTurn => ({
  role,
  text,
  channel: 'chat',
  createdAt: new Date().toISOString(),
  ...(sources ? { sources } : {}),
})

async function ask(
  agent: Agent,
  tenantId: string,
  history: AgentTurn[],
  extra: Partial<AgentRequest> = {},
) {
  const reply = agent.reply({ tenantId, conversationId: 'c', history, ...extra })
  let text = ''
  for await (const c of reply) text += c
  return { text, sources: await reply.sources, followUps: (await reply.followUps) ?? [] }
}

describe('the agent’s own sentences', () => {
  it('exist for English and every locale the widget ships, with the same placeholders', () => {
    const shipped = readdirSync(new URL('../../../widget/src/app/locales/', import.meta.url))
      .filter((f) => f.endsWith('.ts'))
      .map((f) => f.replace(/\.ts$/, ''))
    expect(shipped.length).toBeGreaterThanOrEqual(5)
    expect([...LANGS].sort()).toEqual(['en', ...shipped].sort())
    const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort()
    for (const lang of LANGS) {
      expect(Object.keys(PHRASES[lang]).sort()).toEqual(Object.keys(PHRASES.en).sort())
      for (const [key, text] of Object.entries(PHRASES[lang])) {
        expect(text.trim(), `${lang}.${key}`).not.toBe('')
        expect(placeholders(text), `${lang}.${key}`).toEqual(
          placeholders(PHRASES.en[key as keyof typeof PHRASES.en]),
        )
        if (lang !== 'en' && key !== 'or') {
          expect(text, `${lang}.${key} is translated`).not.toBe(
            PHRASES.en[key as keyof typeof PHRASES.en],
          )
        }
      }
    }
  })
})

describe('language detection', () => {
  it.each([
    ['كيف أعيد تعيين كلمة المرور؟', 'ar'],
    ['Wie kann ich mein Passwort zurücksetzen?', 'de'],
    ['Comment puis-je réinitialiser mon mot de passe ?', 'fr'],
    ['¿Cómo puedo cambiar mi contraseña?', 'es'],
    ['Como posso redefinir a minha senha? Não funciona', 'pt'],
    ['How do I reset my password?', 'en'],
  ])('%s → %s', (text, lang) => {
    expect(detectLanguage(text)).toBe(lang)
  })

  it('gives no verdict on a bare product name', () => {
    expect(detectLanguage('VPN')).toBeUndefined()
    expect(detectLanguage('')).toBeUndefined()
  })
})

describe('built-in agent in the visitor’s language', () => {
  let database: DbHandle
  let agent: Agent
  let english: string
  let multilingual: string

  beforeAll(async () => {
    database = await createTestDatabase('sqlite')
    english = (await createTestTenant(database.db)).tenantId
    await seedDemoArticles(database.db, english)
    multilingual = (await createTestTenant(database.db, { name: 'Multi' })).tenantId
    await createArticle(database.db, multilingual, {
      title: 'Passwort zurücksetzen',
      tags: ['Kennwort'],
      body: 'Wenn Sie Ihr Passwort vergessen haben, setzen Sie es im Portal zurück.\n\n## Im Portal\n1. Öffnen Sie das Portal und wählen Sie „Passwort vergessen“.\n2. Geben Sie Ihre E-Mail-Adresse ein.\n\n## Wenn es nicht klappt\nRufen Sie den Service Desk unter 4357 an.',
    })
    await createArticle(database.db, multilingual, {
      title: 'إعادة تعيين كلمة المرور',
      tags: ['كلمة السر'],
      body: 'إذا نسيت كلمة المرور، يمكنك إعادة تعيينها من البوابة.\n\n## من البوابة\n1. افتح البوابة واختر "نسيت كلمة المرور".\n2. أدخل بريدك الإلكتروني.',
    })
    await createArticle(database.db, multilingual, {
      title: 'Plans and billing',
      tags: ['billing', 'invoice'],
      body: 'We offer two plans.\n\n## Monthly plans\nMonthly plans are billed on the first day of each month and can be cancelled at any time.\n\n## Yearly plans\nYearly plans cost two months less and renew automatically.',
    })
    agent = createBuiltinAgent({ knowledge: createKnowledgeBase(database.db) })
  })
  afterAll(async () => database.close())

  it('an Arabic question on English-only articles gets an honest answer in Arabic', async () => {
    const r = await ask(agent, english, [turn('visitor', 'كيف أعيد تعيين كلمة المرور؟')])
    expect(r.sources).toEqual([])
    expect(r.text).toContain('الإنجليزية') // "English", said in Arabic
    expect(r.text).toContain('فريق الدعم') // the support team can reply
    expect(r.text).not.toMatch(/[A-Za-z]{4,}/) // no English sentence
    expect(r.followUps.length).toBeGreaterThan(0)
  })

  it('a greeting in Arabic is answered in Arabic', async () => {
    const r = await ask(agent, english, [turn('visitor', 'مرحبا')])
    expect(r.text).toBe(PHRASES.ar.greeting)
  })

  it('an unclear question takes the browser’s language for the agent’s sentences', async () => {
    const r = await ask(agent, english, [turn('visitor', 'blorfing zanzibar')], { locale: 'fr-CA' })
    expect(r.text).toBe(PHRASES.fr.notFound)
  })

  it('finds German articles through German word forms (Snowball stemming)', async () => {
    // "Passwörter" and "vergessen" are other forms of the article's "Passwort" and "vergessen".
    const r = await ask(agent, multilingual, [
      turn('visitor', 'Ich habe meine Passwörter vergessen'),
    ])
    expect(r.sources.map((s) => s.title)).toEqual(['Passwort zurücksetzen'])
    expect(r.text).toContain('Portal')
    expect(r.followUps).toContain('Wenn es nicht klappt')
  })

  it('a German “it does not work” follow-up gets the troubleshooting section, with a German lead', async () => {
    const first = await ask(agent, multilingual, [turn('visitor', 'Passwort zurücksetzen')])
    const r = await ask(agent, multilingual, [
      turn('visitor', 'Passwort zurücksetzen'),
      turn('assistant', first.text, ['Passwort zurücksetzen']),
      turn('visitor', 'Und wenn das nicht funktioniert?'),
    ])
    expect(r.text).toContain(PHRASES.de.troubleLead)
    expect(r.text).toContain('4357')
  })

  it('finds Arabic articles through Arabic word forms', async () => {
    // "المرور" with the article prefix and "كلمة" inflected: the stemmer reduces both.
    const r = await ask(agent, multilingual, [turn('visitor', 'نسيت كلمة المرور الخاصة بي')])
    expect(r.sources.map((s) => s.title)).toEqual(['إعادة تعيين كلمة المرور'])
    expect(r.text).toContain('البوابة')
    expect(detectLanguage(r.text)).toBe('ar')
  })

  it('a follow-up sent back as offered continues the article without echoing its heading', async () => {
    const first = await ask(agent, multilingual, [turn('visitor', 'Tell me about billing plans')])
    expect(first.sources.map((s) => s.title)).toEqual(['Plans and billing'])
    expect(first.followUps).toContain('Yearly plans')
    const history = [
      turn('visitor', 'Tell me about billing plans'),
      turn('assistant', first.text, ['Plans and billing']),
      turn('visitor', 'Yearly plans'),
    ]
    const r = await ask(agent, multilingual, history)
    expect(r.sources.map((s) => s.title)).toEqual(['Plans and billing'])
    expect(r.text).toBe('Yearly plans cost two months less and renew automatically.')
  })

  it('a section that opens with its heading is not labelled with it ("Monthly plans: Monthly plans are…")', async () => {
    const r = await ask(agent, multilingual, [turn('visitor', 'how are monthly plans billed?')])
    expect(r.text).toContain('Monthly plans are billed')
    expect(r.text).not.toMatch(/Monthly plans:/)
  })
})

describe('built-in agent and attachments', () => {
  let database: DbHandle
  let agent: Agent
  let tenantId: string
  const png: AgentAttachment = {
    id: 'up_1',
    fileName: 'error.png',
    contentType: 'image/png',
    sizeBytes: 2048,
  }

  beforeAll(async () => {
    database = await createTestDatabase('sqlite')
    tenantId = (await createTestTenant(database.db)).tenantId
    await seedDemoArticles(database.db, tenantId)
    agent = createBuiltinAgent({ knowledge: createKnowledgeBase(database.db) })
  })
  afterAll(async () => database.close())

  it('"Here is a screenshot of the error" with a PNG: acknowledged, honest, asks for words', async () => {
    const r = await ask(agent, tenantId, [turn('visitor', 'Here is a screenshot of the error')], {
      attachments: [png],
    })
    expect(r.text).toBe(
      `${PHRASES.en.attachmentOne.replace('{name}', 'error.png')} ${PHRASES.en.cantSeeImages} ${PHRASES.en.describeIt}`,
    )
    expect(r.text).not.toMatch(/couldn't find/)
  })

  it('a file sent without text ("Attached: error.png") is acknowledged the same way', async () => {
    const r = await ask(agent, tenantId, [turn('visitor', 'Attached: error.png')], {
      attachments: [png],
    })
    expect(r.text.startsWith('Thanks, I have your file "error.png".')).toBe(true)
    expect(r.text).toContain(PHRASES.en.describeIt)
  })

  it('a question with files is answered, after acknowledging them', async () => {
    const log = { ...png, id: 'up_2', fileName: 'log.txt', contentType: 'text/plain' }
    const r = await ask(agent, tenantId, [turn('visitor', 'My VPN won’t connect')], {
      attachments: [png, log],
    })
    expect(r.text.startsWith('Thanks, I have your 2 files.')).toBe(true)
    expect(r.sources.map((s) => s.title)).toEqual(['Connect to the VPN'])
  })

  it('acknowledges in the visitor’s language', async () => {
    const r = await ask(agent, tenantId, [turn('visitor', 'Voici une capture de l’erreur')], {
      attachments: [png],
    })
    expect(r.text).toContain('« error.png »')
    expect(r.text).toContain(PHRASES.fr.cantSeeImages)
  })

  it('a PDF is not called an image', async () => {
    const pdf = { ...png, fileName: 'invoice.pdf', contentType: 'application/pdf' }
    const r = await ask(agent, tenantId, [turn('visitor', 'see attached')], { attachments: [pdf] })
    expect(r.text).toContain(PHRASES.en.cantOpenFiles)
  })
})
