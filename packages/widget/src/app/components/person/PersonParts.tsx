import type { WsConversationFrame as ServerFrame } from '@aurion/contract'
import type { ChatMessage } from '../../chat/session.ts'
import { fill } from '../../i18n.ts'
import { loadFeedback } from '../answers/AnswerParts.tsx'
import { useApp } from '../context.ts'
import { usePart } from '../lazy.ts'
import { Avatar } from '../MessageList.tsx'
import styles from './person.css?inline'

/** This part's styles (added to the shadow root when it loads). */
export const css = styles

/** This part's words (it loads only when a person takes part, so it carries its own). */
const WORDS = {
  en: {
    waiting: 'Waiting for a person',
    waitingHint: 'You can keep writing here; they will see it all.',
    joined: '{name} joined the conversation',
    resolved: 'This conversation was resolved',
    backToAi: 'The assistant is answering again',
  },
  de: {
    waiting: 'Warten auf einen Menschen',
    waitingHint: 'Sie können hier weiterschreiben; alles wird gesehen.',
    joined: '{name} ist dem Gespräch beigetreten',
    resolved: 'Dieses Gespräch wurde gelöst',
    backToAi: 'Der Assistent antwortet wieder',
  },
  fr: {
    waiting: 'En attente d’une personne',
    waitingHint: 'Vous pouvez continuer à écrire ici ; tout sera lu.',
    joined: '{name} a rejoint la conversation',
    resolved: 'Cette conversation a été résolue',
    backToAi: 'L’assistant répond de nouveau',
  },
  es: {
    waiting: 'Esperando a una persona',
    waitingHint: 'Puede seguir escribiendo aquí; lo verán todo.',
    joined: '{name} se unió a la conversación',
    resolved: 'Esta conversación se resolvió',
    backToAi: 'El asistente vuelve a responder',
  },
  pt: {
    waiting: 'Aguardando uma pessoa',
    waitingHint: 'Você pode continuar escrevendo aqui; tudo será visto.',
    joined: '{name} entrou na conversa',
    resolved: 'Esta conversa foi resolvida',
    backToAi: 'O assistente está respondendo novamente',
  },
  ar: {
    waiting: 'في انتظار شخص',
    waitingHint: 'يمكنك مواصلة الكتابة هنا؛ سيرون كل شيء.',
    joined: 'انضم {name} إلى المحادثة',
    resolved: 'تم حل هذه المحادثة',
    backToAi: 'المساعد يجيب مرة أخرى',
  },
}

function useWords() {
  const { host } = useApp()
  return WORDS[host.locale().split('-')[0]!.toLowerCase() as keyof typeof WORDS] ?? WORDS.en
}

/** The name of the person a `conversation` frame assigns, if any. */
const assigneeName = (conv: ServerFrame | undefined): string | undefined => {
  const name = (conv?.assignee as { name?: unknown } | null | undefined)?.name
  return typeof name === 'string' && name ? name : undefined
}

/** A person's avatar: the initial of their name. */
export function Face({ name, conv, hide }: { name?: string; conv?: ServerFrame; hide?: boolean }) {
  const n = name ?? assigneeName(conv) ?? ''
  return (
    <span class="aw-av aw-face" data-hide={hide ? '' : undefined} aria-hidden="true">
      {[...n.trim()][0]?.toUpperCase() ?? '•'}
    </span>
  )
}

/** Who is typing: the person handling the conversation, else the assistant. */
export function TypingFace({ conv }: { conv: ServerFrame | undefined }) {
  return conv?.handled_by === 'human' ? <Face conv={conv} /> : <Avatar />
}

const Check = () => (
  <svg viewBox="0 0 24 24" aria-hidden="true" focusable="false">
    <path
      d="M20 6 9 17l-5-5"
      fill="none"
      stroke="currentColor"
      stroke-width="2.4"
      stroke-linecap="round"
      stroke-linejoin="round"
    />
  </svg>
)

/** The satisfaction question (its own chunk), when the tenant has it on. */
function AskSatisfaction({ conversationId }: { conversationId: string }) {
  const { host } = useApp()
  const on = host.config.csat_enabled !== false && !!conversationId
  const fb = usePart(loadFeedback, on)
  return fb && on ? <fb.Csat key={conversationId} conversationId={conversationId} /> : null
}

/**
 * Where the conversation stands with the team, under its messages: waiting for a person,
 * who joined (until they write), resolved, or back with the assistant.
 */
export function Status({ conv, messages }: { conv: ServerFrame; messages: ChatMessage[] }) {
  const w = useWords()
  const name = assigneeName(conv)
  if (conv.status === 'resolved') {
    return (
      <>
        <p class="aw-event" data-kind="resolved" role="status">
          <Check />
          {w.resolved}
        </p>
        <AskSatisfaction conversationId={conv.conversation_id} />
      </>
    )
  }
  if (conv.handled_by === 'human') {
    if (!name) {
      return (
        <div class="aw-wait" role="status">
          <span class="aw-spin" aria-hidden="true" />
          <p>
            <b>{w.waiting}</b>
            <span>{w.waitingHint}</span>
          </p>
        </div>
      )
    }
    if (messages.some((m) => m.role === 'agent' && m.author === name)) return null
    return (
      <p class="aw-event" data-kind="joined" role="status">
        <Face name={name} />
        {fill(w.joined, { name })}
      </p>
    )
  }
  return messages.some((m) => m.role === 'agent') ? (
    <p class="aw-event" data-kind="ai" role="status">
      {w.backToAi}
    </p>
  ) : null
}
