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
  /** A phone call: someone is online and the line has a transfer number. */
  phoneTransfer: string
  /** A phone call nobody can take now: the caller leaves a message. */
  phoneMessage: string
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
    phoneTransfer:
      "I'm transferring your call to a person from our team now. If nobody picks up, stay on the line and leave a message.",
    phoneMessage:
      "Please leave your message now, with how we can reach you, and hang up when you're done: a person from our team will get back to you.",
  },
  de: {
    connecting:
      'Ich verbinde Sie mit einer Person aus unserem Team. Sie sieht dieses Gespräch und antwortet Ihnen gleich hier.',
    offline:
      'Gerade ist niemand aus unserem Team online. Ihr Gespräch liegt in unserem Posteingang, und eine Person antwortet, sobald sie kann.',
    askEmail: 'Hinterlassen Sie hier Ihre E-Mail-Adresse, dann antworten wir Ihnen per E-Mail.',
    replyByEmail: 'Wir antworten Ihnen auch per E-Mail an {email}.',
    voiceGoodbye: 'Ich beende jetzt den Anruf: Das Gespräch geht im Chat weiter.',
    phoneTransfer:
      'Ich verbinde Ihren Anruf jetzt mit einer Person aus unserem Team. Wenn niemand abnimmt, bleiben Sie dran und hinterlassen Sie eine Nachricht.',
    phoneMessage:
      'Bitte hinterlassen Sie jetzt Ihre Nachricht und wie wir Sie erreichen, und legen Sie danach auf: Eine Person aus unserem Team meldet sich bei Ihnen.',
  },
  fr: {
    connecting:
      "Je vous mets en relation avec une personne de notre équipe. Elle voit cette conversation et vous répondra ici d'ici peu.",
    offline:
      "Personne de notre équipe n'est en ligne pour le moment. Votre conversation est dans notre boîte de réception et une personne vous répondra dès que possible.",
    askEmail: 'Laissez votre adresse e-mail ici et nous vous répondrons par e-mail.',
    replyByEmail: 'Nous vous répondrons aussi par e-mail à {email}.',
    voiceGoodbye: "Je termine l'appel maintenant : la conversation continue dans le chat.",
    phoneTransfer:
      'Je transfère maintenant votre appel à une personne de notre équipe. Si personne ne répond, restez en ligne et laissez un message.',
    phoneMessage:
      'Laissez votre message maintenant, avec le moyen de vous joindre, puis raccrochez : une personne de notre équipe vous recontactera.',
  },
  es: {
    connecting:
      'Te estoy conectando con una persona de nuestro equipo. Ve esta conversación y te responderá aquí en breve.',
    offline:
      'Ahora mismo no hay nadie de nuestro equipo en línea. Tu conversación está en nuestra bandeja de entrada y una persona te responderá lo antes posible.',
    askEmail: 'Deja aquí tu correo electrónico y te responderemos por correo.',
    replyByEmail: 'También te responderemos por correo a {email}.',
    voiceGoodbye: 'Voy a terminar la llamada: la conversación continúa en el chat.',
    phoneTransfer:
      'Estoy transfiriendo tu llamada a una persona de nuestro equipo. Si nadie contesta, no cuelgues y deja un mensaje.',
    phoneMessage:
      'Deja tu mensaje ahora, con cómo podemos contactarte, y cuelga cuando termines: una persona de nuestro equipo se pondrá en contacto contigo.',
  },
  pt: {
    connecting:
      'Estou a ligar você a uma pessoa da nossa equipa. Ela vê esta conversa e vai responder aqui em breve.',
    offline:
      'Neste momento ninguém da nossa equipa está online. A sua conversa está na nossa caixa de entrada e uma pessoa responderá assim que puder.',
    askEmail: 'Deixe aqui o seu endereço de e-mail e responderemos por e-mail.',
    replyByEmail: 'Também responderemos por e-mail para {email}.',
    voiceGoodbye: 'Vou terminar a chamada agora: a conversa continua no chat.',
    phoneTransfer:
      'Estou a transferir a sua chamada para uma pessoa da nossa equipa. Se ninguém atender, mantenha-se em linha e deixe uma mensagem.',
    phoneMessage:
      'Deixe agora a sua mensagem, com a forma de o contactarmos, e desligue quando terminar: uma pessoa da nossa equipa entrará em contacto consigo.',
  },
  ar: {
    connecting: 'أقوم بتوصيلك بشخص من فريقنا. يمكنه رؤية هذه المحادثة وسيرد عليك هنا قريبًا.',
    offline:
      'لا يوجد أحد من فريقنا متصل الآن. محادثتك في صندوق الوارد لدينا، وسيرد عليك شخص في أقرب وقت ممكن.',
    askEmail: 'اترك عنوان بريدك الإلكتروني هنا وسنرد عليك عبر البريد الإلكتروني.',
    replyByEmail: 'سنرد عليك أيضًا عبر البريد الإلكتروني على {email}.',
    voiceGoodbye: 'سأنهي المكالمة الآن: تستمر المحادثة في الدردشة.',
    phoneTransfer:
      'أقوم الآن بتحويل مكالمتك إلى شخص من فريقنا. إذا لم يرد أحد، ابقَ على الخط واترك رسالة.',
    phoneMessage:
      'اترك رسالتك الآن مع طريقة التواصل معك، ثم أنهِ المكالمة: سيتواصل معك شخص من فريقنا.',
  },
}
