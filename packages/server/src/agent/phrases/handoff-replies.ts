import type { Lang } from '../../knowledge/language.ts'

/**
 * What the assistant says when it hands a conversation to a person, in every language it answers
 * in. `{email}` is the visitor's known email.
 */
export interface HandoffPhrases {
  /** Someone of the team is online. */
  connecting: string
  /** Nobody is online (or outside business hours), unless the tenant wrote its own text. */
  offline: string
  /** Offline, no email known. */
  askEmail: string
  /** Offline, the email is known. */
  replyByEmail: string
  /** Said at the end of a call that is handed off: the call ends, the chat goes on. */
  voiceGoodbye: string
}

export const HANDOFF_PHRASES: Record<Lang, HandoffPhrases> = {
  en: {
    connecting:
      "I'm connecting you with a person from our team. They can see this conversation and will reply here shortly.",
    offline:
      'Nobody from our team is online right now. Your conversation is in our inbox, and a person will reply as soon as they can.',
    askEmail: "Leave your email address here and we'll reply to you by email.",
    replyByEmail: "We'll also reply to you by email at {email}.",
    voiceGoodbye: "I'm ending the call now: the conversation continues in the chat.",
  },
  de: {
    connecting:
      'Ich verbinde Sie mit einer Person aus unserem Team. Sie sieht dieses Gespräch und antwortet Ihnen gleich hier.',
    offline:
      'Gerade ist niemand aus unserem Team online. Ihr Gespräch liegt in unserem Posteingang, und eine Person antwortet, sobald sie kann.',
    askEmail: 'Hinterlassen Sie hier Ihre E-Mail-Adresse, dann antworten wir Ihnen per E-Mail.',
    replyByEmail: 'Wir antworten Ihnen auch per E-Mail an {email}.',
    voiceGoodbye: 'Ich beende jetzt den Anruf: Das Gespräch geht im Chat weiter.',
  },
  fr: {
    connecting:
      "Je vous mets en relation avec une personne de notre équipe. Elle voit cette conversation et vous répondra ici d'ici peu.",
    offline:
      "Personne de notre équipe n'est en ligne pour le moment. Votre conversation est dans notre boîte de réception et une personne vous répondra dès que possible.",
    askEmail: 'Laissez votre adresse e-mail ici et nous vous répondrons par e-mail.',
    replyByEmail: 'Nous vous répondrons aussi par e-mail à {email}.',
    voiceGoodbye: "Je termine l'appel maintenant : la conversation continue dans le chat.",
  },
  es: {
    connecting:
      'Te estoy conectando con una persona de nuestro equipo. Ve esta conversación y te responderá aquí en breve.',
    offline:
      'Ahora mismo no hay nadie de nuestro equipo en línea. Tu conversación está en nuestra bandeja de entrada y una persona te responderá lo antes posible.',
    askEmail: 'Deja aquí tu correo electrónico y te responderemos por correo.',
    replyByEmail: 'También te responderemos por correo a {email}.',
    voiceGoodbye: 'Voy a terminar la llamada: la conversación continúa en el chat.',
  },
  pt: {
    connecting:
      'Estou a ligar você a uma pessoa da nossa equipa. Ela vê esta conversa e vai responder aqui em breve.',
    offline:
      'Neste momento ninguém da nossa equipa está online. A sua conversa está na nossa caixa de entrada e uma pessoa responderá assim que puder.',
    askEmail: 'Deixe aqui o seu endereço de e-mail e responderemos por e-mail.',
    replyByEmail: 'Também responderemos por e-mail para {email}.',
    voiceGoodbye: 'Vou terminar a chamada agora: a conversa continua no chat.',
  },
  ar: {
    connecting: 'أقوم بتوصيلك بشخص من فريقنا. يمكنه رؤية هذه المحادثة وسيرد عليك هنا قريبًا.',
    offline:
      'لا يوجد أحد من فريقنا متصل الآن. محادثتك في صندوق الوارد لدينا، وسيرد عليك شخص في أقرب وقت ممكن.',
    askEmail: 'اترك عنوان بريدك الإلكتروني هنا وسنرد عليك عبر البريد الإلكتروني.',
    replyByEmail: 'سنرد عليك أيضًا عبر البريد الإلكتروني على {email}.',
    voiceGoodbye: 'سأنهي المكالمة الآن: تستمر المحادثة في الدردشة.',
  },
}
