import type { Lang } from '../../knowledge/language.ts'

/**
 * Ways a visitor asks for a person, typed or spoken, in every language the assistant answers in.
 * Matched as whole words inside the message after {@link normalizeRequest} (lower case, accents
 * and punctuation gone, one space between words). Specific phrases only: "human" alone would
 * hand off "the human resources portal is down".
 */
export const HUMAN_REQUEST_PHRASES: Record<Lang, readonly string[]> = {
  en: [
    'talk to a person',
    'talk to a human',
    'talk to someone',
    'talk to somebody',
    'talk to an agent',
    'talk to a real person',
    'talk to a representative',
    'talk with a person',
    'talk with a human',
    'talk with someone',
    'speak to a person',
    'speak to a human',
    'speak to someone',
    'speak to somebody',
    'speak to an agent',
    'speak with a person',
    'speak with a human',
    'speak with someone',
    'speak to a representative',
    'chat with a person',
    'chat with a human',
    'chat with someone',
    'connect me to a person',
    'connect me with a person',
    'connect me to someone',
    'connect me to an agent',
    'transfer me to a person',
    'transfer me to an agent',
    'real person',
    'real human',
    'live agent',
    'live person',
    'live chat',
    'human agent',
    'human being',
    'customer service agent',
    'support agent',
    'a representative',
    'an operator',
    'get a human',
    'i want a human',
    'i need a human',
    'i want a person',
    'i need a person',
    'can i talk to',
    'can i speak to',
    'let me talk to',
    'let me speak to',
  ],
  de: [
    'mit einem menschen',
    'mit einer person',
    'mit jemandem sprechen',
    'mit jemandem reden',
    'mit einem mitarbeiter',
    'mit einer mitarbeiterin',
    'mit einem berater',
    'mit dem support sprechen',
    'echten menschen',
    'echte person',
    'echten person',
    'einen menschen sprechen',
    'mitarbeiter sprechen',
    'kundendienst sprechen',
  ],
  fr: [
    'parler a quelqu un',
    'parler a une personne',
    'parler a un humain',
    'parler a un conseiller',
    'parler a un agent',
    'parler avec quelqu un',
    'parler avec une personne',
    'parler avec un conseiller',
    'une vraie personne',
    'un vrai humain',
    'un etre humain',
    'un conseiller',
    'un operateur',
  ],
  es: [
    'hablar con una persona',
    'hablar con alguien',
    'hablar con un humano',
    'hablar con un agente',
    'hablar con un asesor',
    'hablar con un operador',
    'persona real',
    'agente humano',
    'un ser humano',
    'atencion al cliente',
  ],
  pt: [
    'falar com uma pessoa',
    'falar com alguem',
    'falar com um humano',
    'falar com um atendente',
    'falar com um agente',
    'falar com um consultor',
    'pessoa real',
    'atendente humano',
    'um ser humano',
    'um atendente',
  ],
  ar: [
    'التحدث مع شخص',
    'التحدث مع موظف',
    'التحدث مع انسان',
    'اتكلم مع شخص',
    'اتكلم مع موظف',
    'اريد التحدث مع',
    'شخص حقيقي',
    'انسان حقيقي',
    'موظف خدمة العملاء',
    'خدمة العملاء',
  ],
}

/**
 * Lower case, accents and Arabic diacritics removed (and alef forms unified), every run of
 * characters that are not letters or digits one space, padded with a space on both sides.
 * One pass over the text; no backtracking.
 */
export function normalizeRequest(text: string): string {
  const folded = text
    .slice(0, 4000)
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[\u0300-\u036f\u064b-\u065f\u0670\u0640]/g, '')
    .replace(/[\u0622\u0623\u0625]/g, '\u0627')
  let out = ' '
  for (const ch of folded) {
    if (/[\p{L}\p{N}]/u.test(ch)) out += ch
    else if (!out.endsWith(' ')) out += ' '
  }
  return out.endsWith(' ') ? out : `${out} `
}

const NORMALIZED: readonly string[] = Object.values(HUMAN_REQUEST_PHRASES)
  .flat()
  .map((p) => normalizeRequest(p))

/** Does the visitor ask for a person ("can I talk to a human?", "Ich möchte mit einem Menschen sprechen")? */
export function asksForPerson(text: string): boolean {
  const t = normalizeRequest(text)
  return NORMALIZED.some((p) => t.includes(p))
}
