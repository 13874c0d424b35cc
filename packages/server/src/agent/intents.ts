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

/**
 * Classifies a message that is only small talk ("hi", "thanks!", "that worked", "bye",
 * "what can you do?", "can I talk to a person?"). `null` for anything carrying a question.
 */
export function classifySmallTalk(text: string): SmallTalk | null {
  const t = text.trim()
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

/** Does the message lean on what was said before ("and on mac?", "what if that doesn't work")? */
export function looksLikeFollowUp(text: string): boolean {
  return FOLLOW_UP_START.test(text) || ANAPHORA.test(text)
}
