import { analyze, mentionsTrouble } from '../knowledge/text.ts'

/** Conversational messages that are not a help question. */
export type SmallTalk = 'greeting' | 'thanks' | 'resolved' | 'goodbye' | 'capabilities' | 'human'

const GREETING =
  /^\s*(?:hi+|hello+|hey+|hiya|howdy|yo|greetings|good\s+(?:morning|afternoon|evening|day))\b[\s,!.:;-]*(?:there|team|all|everyone|folks)?[\s,!.:;-]*/i
const RESOLVED =
  /\b(?:(?:that|it|this)\s+(?:worked|works|helped|fixed\s+it|did\s+it|did\s+the\s+trick)|(?:all\s+)?(?:fixed|solved|sorted|resolved)(?:\s+(?:it|now))?|problem\s+solved)\b/i
const THANKS = /\b(?:thanks|thank\s*you|thx|ty|cheers|appreciate(?:d)?(?:\s+it)?|many\s+thanks)\b/i
const GOODBYE =
  /\b(?:bye|goodbye|see\s+you|that'?s\s+(?:all|it)|nothing\s+else|no\s+thanks|i'?m\s+done|have\s+a\s+(?:good|nice)\s+(?:day|one))\b/i
const CAPABILITIES =
  /^\s*(?:help|menu|topics|options|\?)\W*$|\b(?:what\s+can\s+you\s+(?:do|help(?:\s+me)?\s+with)|who\s+are\s+you|what\s+are\s+you|what\s+do\s+you\s+know|what\s+(?:topics|things)\s+(?:do|can)\s+you|how\s+can\s+you\s+help)\b/i
const HUMAN =
  /\b(?:human|real\s+person|live\s+(?:agent|person|chat)|representative|operator|someone\s+real|(?:talk|speak|chat)\s+(?:to|with)\s+(?:a|an|some)?\s*(?:person|agent|someone|somebody|technician|human))\b/i
const ACK_ONLY =
  /^\s*(?:ok(?:ay)?|k|yes|yeah|yep|sure|no|nope|great|cool|nice|perfect|awesome|got\s+it|alright|right)\W*$/i

// Words that belong to small talk; a message with nothing else in it is small talk.
const SMALL_TALK_WORDS = new Set(
  `thanks thank thx ty cheers appreciate appreciated much lot great perfect awesome cool nice
  worked works work fixed fix solved sorted resolved helpful helped good morning afternoon
  evening day bye goodbye later see ok okay got excellent brilliant amazing wonderful all done
  now trick problem issue everyone folks team there`.split(/\s+/),
)

/** Strips a leading greeting ("Hi there, my VPN…" → "my VPN…"). */
export function stripGreeting(text: string): string {
  return text.replace(GREETING, '').trim()
}

function hasContent(text: string): boolean {
  return analyze(text).some((g) => !SMALL_TALK_WORDS.has(g.word))
}

// Greetings, thanks and goodbyes in the other languages the agent answers in: a message made of
// these words only (a few at most) is small talk.
const OTHER_SMALL_TALK: Record<string, SmallTalk> = {}
for (const [kind, words] of [
  [
    'greeting',
    'hallo servus moin guten tag morgen abend bonjour salut bonsoir hola buenos buenas días dias tardes olá ola oi bom dia boa tarde noite مرحبا أهلا اهلا السلام عليكم صباح الخير مساء',
  ],
  [
    'thanks',
    'danke vielen dank schön merci beaucoup gracias muchas obrigado obrigada muito شكرا جزيلا',
  ],
  [
    'goodbye',
    'tschüss tschüs wiedersehen auf au revoir adiós adios hasta luego adeus tchau até logo مع السلامة وداعا',
  ],
] as const)
  for (const w of words.split(' ')) OTHER_SMALL_TALK[w] ??= kind

function classifyOtherLanguage(text: string): SmallTalk | null {
  const words = text
    .toLowerCase()
    .replace(/[\u064b-\u065f\u0670\u0640]/g, '')
    .split(/[^\p{L}]+/u)
    .filter(Boolean)
  if (words.length === 0 || words.length > 5) return null
  const kinds = new Set<SmallTalk>()
  for (const w of words) {
    const kind = OTHER_SMALL_TALK[w]
    if (kind === undefined) return null
    kinds.add(kind)
  }
  for (const k of ['thanks', 'goodbye', 'greeting'] as const) if (kinds.has(k)) return k
  return null
}

/**
 * Classifies a message that is only small talk ("hi", "thanks!", "that worked", "bye",
 * "what can you do?", "can I talk to a person?"). `null` for anything carrying a question.
 */
export function classifySmallTalk(text: string): SmallTalk | null {
  // One space between words: the patterns below put whitespace quantifiers side by side, which
  // would backtrack quadratically over a long run of spaces.
  const t = text.trim().replace(/\s+/g, ' ')
  const other = classifyOtherLanguage(t)
  if (other !== null) return other
  if (HUMAN.test(t)) return 'human'
  if (CAPABILITIES.test(t)) return 'capabilities'
  const rest = stripGreeting(t)
  if (hasContent(rest)) return null
  // "thanks, but it still doesn't work" is a follow-up question, not a thank-you.
  if (mentionsTrouble(t.replace(/\b(?:problem|issue)s?\s+(?:solved|fixed|resolved)\b/gi, '')))
    return null
  if (RESOLVED.test(t)) return 'resolved'
  if (GOODBYE.test(t)) return 'goodbye'
  if (THANKS.test(t)) return 'thanks'
  if (rest !== t || GREETING.test(t)) return 'greeting'
  if (ACK_ONLY.test(t)) return 'capabilities'
  return null
}

const FOLLOW_UP_START =
  /^\s*(?:and|but|also|so|then|ok(?:ay)?|what\s+about|how\s+about|what\s+if|and\s+if|same|or)\b/i
const ANAPHORA = /\b(?:that|it|this|those|these|there|still|again|instead|too|else|same|one)\b/i

// The same cues in the other languages the agent reads.
const FOLLOW_UP_START_OTHER =
  /^\s*(?:und|aber|auch|dann|oder|et|mais|aussi|puis|ou|y|pero|también|entonces|o|e|mas|também|então|ou|و|ثم|لكن|أو)(?=[^\p{L}]|$)/iu
const ANAPHORA_OTHER =
  /(?:^|[^\p{L}])(?:das|dies|immer\s+noch|noch|trotzdem|ça|cela|encore|toujours|eso|esto|todavía|aún|isso|isto|ainda|ذلك|هذا|هذه|لا\s+يزال|مازال|ما\s+زال)(?=[^\p{L}]|$)/iu

/** Does the message lean on what was said before ("and on mac?", "what if that doesn't work")? */
export function looksLikeFollowUp(text: string): boolean {
  return (
    FOLLOW_UP_START.test(text) ||
    ANAPHORA.test(text) ||
    FOLLOW_UP_START_OTHER.test(text) ||
    ANAPHORA_OTHER.test(text)
  )
}
