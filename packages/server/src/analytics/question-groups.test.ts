import { describe, expect, it } from 'vitest'
import { groupSimilarQuestions, questionTerms } from './question-groups.ts'

const grouped = (texts: string[]) =>
  groupSimilarQuestions(texts)
    .map((g) => g.map((i) => texts[i]).sort())
    .sort((a, b) => b.length - a.length)

describe('grouping similar questions', () => {
  it.each([
    [['Do you ship to Mars?', 'Can you deliver parcels to Mars?', 'Is shipping to Mars possible?']],
    [['Do you offer gift cards?', 'Can I buy a gift card?', 'Are gift cards available?']],
    [
      [
        'How much does the premium plan cost?',
        'What is the price of premium?',
        'premium plan pricing',
      ],
    ],
    [
      [
        'Can I cancel my subscription?',
        'How do I cancel my subscription?',
        'CANCEL SUBSCRIPTION!!',
      ],
    ],
  ])('%j are one question', (texts) => {
    const groups = grouped([
      ...texts,
      'Where is your office in Berlin?',
      'Do you have a dark mode?',
    ])
    expect(groups[0]).toEqual([...texts].sort())
    expect(groups).toHaveLength(3)
  })

  it('different questions stay apart', () => {
    const texts = [
      'Do you ship to Mars?',
      'Can I pay with bitcoin?',
      'Is there a student discount?',
      'How do I export my invoices?',
      'Does the app work offline?',
    ]
    expect(grouped(texts)).toHaveLength(texts.length)
  })

  it('identical wordings group even without meaningful words', () => {
    expect(grouped(['Why?', 'why', 'Hmm'])).toEqual([['Why?', 'why'], ['Hmm']])
  })

  it('terms drop filler and stopwords and merge word families', () => {
    expect([...questionTerms('Is it possible to get a refund?')]).toEqual(['=refund'])
    expect(questionTerms('deliver')).toEqual(questionTerms('shipping'))
  })

  it('stays fast on thousands of questions', () => {
    const texts = Array.from(
      { length: 5000 },
      (_, i) => `Question number ${i} about topic ${i % 97} and item ${i % 13}?`,
    )
    const started = performance.now()
    groupSimilarQuestions(texts)
    expect(performance.now() - started).toBeLessThan(3000)
  })
})
