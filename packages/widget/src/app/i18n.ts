/** The panel's own words (config texts come translated from the host). English is built in. */
export const EN = {
  placeholder: 'Write a message…',
  send: 'Send message',
  attach: 'Attach a file',
  close: 'Close chat',
  dismiss: 'Dismiss',
  history: 'Past conversations',
  conversation: 'Conversation',
  back: 'Back',
  newChat: 'New conversation',
  status: 'AI assistant · Online',
  statusOffline: 'AI assistant · Offline',
  statusReconnecting: 'AI assistant · Reconnecting…',
  typing: 'Assistant is typing',
  reconnecting: 'Reconnecting…',
  offline: 'No connection. Your messages will be sent when it returns.',
  unavailable: 'This chat is not available right now.',
  notSent: 'Not sent',
  retry: 'Retry',
  agentDown: 'The assistant is unavailable right now. Your message was saved.',
  rateLimited: 'You are sending messages too quickly. Please wait a moment.',
  tooLarge: '{name} is larger than 10 MB.',
  badType: '{name}: only images, PDFs and text files can be attached.',
  uploadFailed: '{name} could not be uploaded.',
  tooMany: 'You can attach up to 5 files per message.',
  drop: 'Drop files to attach',
  remove: 'Remove {name}',
  attached: 'Attached: {names}',
  download: 'Download {name}',
  sources: 'Sources',
  helpArticle: 'Help article',
  followUps: 'Suggested questions',
  emailPrompt: 'Enter your email to see your past conversations.',
  email: 'Email address',
  continue: 'Continue',
  emailInvalid: 'Please enter a valid email address.',
  emailFailed: 'We could not verify this email. Please try again.',
  noHistory: 'No past conversations yet.',
  resolved: 'Resolved',
  signedInAs: 'Signed in as {email}',
  signOut: 'Sign out',
  otherDevices:
    'History from other devices needs a verified email. Conversations from this browser are shown.',
  sendCode: 'Email me a code',
  codeSent: 'We sent a 6-digit code to {email}. It works for 10 minutes.',
  code: 'Code from the email',
  verify: 'Verify',
  codeInvalid: 'That code is not right or has expired. Ask for a new one.',
  codeFailed: 'We could not send the code. Please try again later.',
  codeLimited: 'Too many codes were sent. Please wait a few minutes.',
  poweredBy: 'Powered by Aurion',
  you: 'You',
  voice: 'Voice',
  startCall: 'Start a voice call',
  endCall: 'End call',
  mute: 'Mute microphone',
  unmute: 'Unmute microphone',
  toChat: 'Show chat',
  toCall: 'Back to call',
  talkPrompt: 'Talk to our assistant',
  talkHint: 'Ask your question out loud — the assistant answers by voice.',
  talkToPerson: 'Talk to a person',
  connecting: 'Connecting…',
  waiting: 'Waiting for the assistant…',
  listening: 'Listening…',
  thinking: 'Thinking…',
  speaking: 'Speaking…',
  muted: 'Microphone muted',
  ended: 'Call ended',
  enableAudio: 'Tap to enable audio',
  micDenied:
    'Microphone access is blocked. Allow it in your browser’s site settings, or continue in chat.',
  micMissing: 'No microphone was found. Connect one, or continue in chat.',
  micInsecure: 'Voice calls need a secure (https) page. You can continue in chat.',
  noAgent: 'The voice assistant didn’t answer. You can continue in chat.',
  voiceDown: 'Voice isn’t available right now. You can continue in chat.',
  speechFailed:
    'Speech recognition isn’t working in this browser right now. You can continue in chat.',
  callFailed: 'The call was interrupted. You can continue in chat.',
}

export type Strings = typeof EN
export type StringKey = keyof Strings

const LOADERS: Record<string, () => Promise<{ default: Partial<Strings> }>> = {
  de: () => import('./locales/de.ts'),
  fr: () => import('./locales/fr.ts'),
  es: () => import('./locales/es.ts'),
  pt: () => import('./locales/pt.ts'),
  ar: () => import('./locales/ar.ts'),
}

/** UI strings for a locale (its language's file over English); each file is its own small chunk. */
export async function loadStrings(locale: string): Promise<Strings> {
  const load = LOADERS[locale.split('-')[0]!.toLowerCase()]
  if (!load) return EN
  try {
    return { ...EN, ...(await load()).default }
  } catch {
    return EN
  }
}

/** Fills `{name}` placeholders. */
export function fill(s: string, vars: Record<string, string>): string {
  return s.replace(/\{(\w+)\}/g, (m, k: string) => vars[k] ?? m)
}
