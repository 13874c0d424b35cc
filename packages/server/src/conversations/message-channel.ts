import type { Channel } from './types.ts'

/**
 * The channel of a visitor's message sent through the public widget API: `voice` when the widget
 * marks it as spoken (`"metadata": {"channel": "voice"}`: a browser-speech call, where the
 * browser turns speech into a chat message), else `chat`. A voice turn is answered in the
 * agent's spoken style, since the answer is read out.
 */
export function declaredChannel(metadata: Record<string, unknown> | undefined): Channel {
  return metadata?.channel === 'voice' ? 'voice' : 'chat'
}
