// Shapes of the internal API (`/internal/v1/*`) the voice agent calls with AURION_INTERNAL_TOKEN.
// Types only: the server's schemas validate requests, the worker reads the answers.

/** A message of the conversation as the internal API returns it, oldest first. */
export interface InternalConversationMessage {
  id: string
  sender_type: 'contact' | 'ai' | 'agent'
  body: string
  channel: 'chat' | 'voice'
  created_at: string
}

/** `GET /internal/v1/conversations/:id`: what the worker needs to start a call. */
export interface InternalConversationSnapshot {
  tenant_id: string
  conversation_id: string
  /** The call's thread; null only for a conversation without any thread yet. */
  thread_id: string | null
  subject: string
  status: string
  messages: InternalConversationMessage[]
  /** The tenant's welcome text (or the server's default) for the call's greeting. */
  greeting: string | null
  display_title: string | null
}

/** `POST /internal/v1/conversations/:id/messages`: the stored turn. */
export interface InternalStoredMessage {
  message_id: string
  conversation_id: string
  thread_id: string
  sender_type: 'contact' | 'ai'
  created_at: string
  deduplicated: boolean
}

/** Lines of the `POST /internal/v1/conversations/:id/reply` stream (NDJSON, one object per line). */
export type VoiceReplyLine =
  | {
      type: 'ack'
      conversation_id: string
      thread_id: string
      user_message_id: string
      deduplicated: boolean
    }
  | { type: 'chunk'; index: number; chunk: string }
  | {
      type: 'done'
      ai_message_id: string
      ai_response: string
      sources: { id: string; title: string }[]
      deduplicated: boolean
      /**
       * A person takes over (this turn handed the conversation off, or a person already handles
       * it): speak `ai_response` (what happens next), then end the call; the conversation goes
       * on in the chat.
       */
      end_call?: true
      /**
       * A phone call (`channel: "phone"`) whose caller asked for a person while someone is
       * available and the line has a transfer number: speak `ai_response`, then transfer the
       * call there. Without it, a phone hand-off takes a message: the caller stays on the line.
       */
      transfer?: true
    }
  | { type: 'error'; code: string; message: string }

/** `POST /internal/v1/phone/calls`: the conversation a phone call continues (or starts). */
export interface InternalPhoneCall {
  tenant_id: string
  conversation_id: string
  thread_id: string
  contact_id: string
  /** The caller's open conversation continues; `false`: a new one started. */
  resumed: boolean
  /** What to say on picking up: the line's greeting, else the widget's welcome text. */
  greeting: string
  /** Where a caller who asks for a person is transferred; `null`: they leave a message. */
  transfer_to: string | null
}

/** `POST /internal/v1/voice-agent/heartbeat` body. */
export interface VoiceAgentHeartbeat {
  worker_id: string
  agent_name: string
  status: 'connecting' | 'registered' | 'draining' | 'stopped'
  active_jobs: number
  version?: string
  /** The id LiveKit gave the worker once registered. */
  livekit_worker_id?: string
}

/** `POST /internal/v1/voice-agent/heartbeat` answer. */
export interface VoiceAgentHeartbeatResult {
  ok: boolean
  /** The agent name the server's voice tokens dispatch to. */
  agent_name: string
  agent_name_matches: boolean
}
