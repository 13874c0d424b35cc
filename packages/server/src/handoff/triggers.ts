import { HANDOFF_QUICK_ACTION, type HandoffSettings, type HandoffTrigger } from '@aurion/contract'
import { classifySmallTalk } from '../agent/intents.ts'
import { asksForPerson } from '../agent/phrases/human-request.ts'

/**
 * The trigger a visitor message fires, if any: the "Talk to a person" quick action
 * (`metadata.action` = `talk_to_person`) or a request for a person in the text. Spoken turns
 * come through here the same way as typed ones.
 */
export function visitorHandoffTrigger(
  settings: HandoffSettings,
  body: string,
  metadata: Record<string, unknown> | null | undefined,
): HandoffTrigger | null {
  if (!settings.enabled) return null
  if (settings.triggers.quick_action && metadata?.action === HANDOFF_QUICK_ACTION)
    return 'quick_action'
  if (settings.triggers.visitor_request && asksForPerson(body)) return 'visitor_request'
  return null
}

/**
 * Did the assistant fail to answer this visitor message? It cited no article and the message
 * was a question (not small talk, not only attachments). Works for every agent: the built-in
 * one cites the article it answered from, the language model the passages it was given.
 */
export function couldNotAnswer(visitorText: string, sources: readonly unknown[]): boolean {
  if (sources.length > 0) return false
  const text = visitorText.trim()
  return text !== '' && classifySmallTalk(text) === null
}

/** The metadata flag stored on an assistant reply that did not answer (see {@link couldNotAnswer}). */
export const UNANSWERED_FLAG = 'unanswered'

/** Whether a stored assistant reply carries {@link UNANSWERED_FLAG}. */
export function wasUnanswered(metadata: string | null | undefined): boolean {
  if (!metadata) return false
  try {
    return (JSON.parse(metadata) as Record<string, unknown>)[UNANSWERED_FLAG] === true
  } catch {
    return false
  }
}
