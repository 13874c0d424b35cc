/**
 * The built-in agent's own sentences (article text is quoted as written). `{name}` marks a
 * placeholder; every language file has the same keys and placeholders.
 */
export const en = {
  troubleLead: "Sorry that didn't sort it out.",
  notCovered: 'Our article "{title}" doesn\'t cover that specifically.',
  notCoveredVoice:
    'Our article "{title}" doesn\'t cover that specifically. It does cover {topics}.',
  exhausted:
    'That\'s everything our article "{title}" covers. If it still isn\'t working, a member of the support team should take a look: your conversation is saved here, so they can pick it up.',
  alsoCoversVoice: 'The article also covers {topics}.',
  sourceVoice: 'That\'s from our help article "{title}".',
  or: 'or',
  noArticles:
    "I couldn't find that: there are no help articles here yet. Your message is saved, so a member of the support team can reply here.",
  notFound:
    "I couldn't find that in our help articles. Could you rephrase your question or tell me a bit more? If it's something else, your message is saved and the support team can reply here.",
  notFoundVoice:
    "I couldn't find that in our help articles. They cover topics like {topics}. Could you tell me a bit more?",
  otherLanguage:
    "Our help articles are written in {languages}, so I couldn't find an answer in {language}. You can ask again in {languages}, or leave your question here: it is saved and the support team can reply.",
  greeting: "Hi! I'm the virtual help desk assistant. What can I help you with today?",
  topicsVoice: 'Our help articles cover topics like {topics}.',
  capabilities:
    "I'm the virtual help desk assistant: I answer questions from our help articles, step by step. Describe what you need in your own words, or pick a topic.",
  capabilitiesEmpty:
    "I'm the virtual help desk assistant. There are no help articles here yet, but your messages are saved and the support team can reply here.",
  thanks: "You're welcome! Is there anything else I can help you with?",
  resolved: 'Great, glad that sorted it out! If anything else comes up, just ask.',
  goodbye: 'Thanks for chatting. Have a good day, and come back any time you need help!',
  human:
    "I'm an automated assistant, so I can't transfer you, but this conversation is saved and visible to the support team, and someone can reply to you here. If it's urgent, please contact your support team directly. Meanwhile, tell me what's going on and I'll see if one of our help articles covers it.",
  attachmentOne: 'Thanks, I have your file "{name}".',
  attachmentMany: 'Thanks, I have your {count} files.',
  cantSeeImages:
    "I can't look at images myself, but they are saved with this conversation, so the support team can see them.",
  cantOpenFiles:
    "I can't open attachments myself, but they are saved with this conversation, so the support team can see them.",
  describeIt:
    'Could you also describe the problem in words, for example the exact error message and what you were doing?',
}

export type Phrases = typeof en
