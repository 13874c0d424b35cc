import type { Phrases } from './en.ts'

export const es: Phrases = {
  troubleLead: 'Siento que eso no lo haya resuelto.',
  notCovered: 'Nuestro artículo «{title}» no trata eso en concreto.',
  notCoveredVoice: 'Nuestro artículo «{title}» no trata eso en concreto. Sí trata {topics}.',
  exhausted:
    'Eso es todo lo que trata nuestro artículo «{title}». Si sigue sin funcionar, alguien del equipo de soporte debería revisarlo: tu conversación queda guardada aquí, así que podrán retomarla.',
  alsoCoversVoice: 'El artículo también trata {topics}.',
  sourceVoice: 'Eso viene de nuestro artículo de ayuda «{title}».',
  or: 'o',
  noArticles:
    'No he encontrado nada: aún no hay artículos de ayuda aquí. Tu mensaje queda guardado, así que alguien del equipo de soporte podrá responderte aquí.',
  notFound:
    'No he encontrado eso en nuestros artículos de ayuda. ¿Podrías reformular la pregunta o contarme un poco más? Si se trata de otra cosa, tu mensaje queda guardado y el equipo de soporte podrá responderte aquí.',
  notFoundVoice:
    'No he encontrado eso en nuestros artículos de ayuda. Tratan temas como {topics}. ¿Podrías contarme un poco más?',
  otherLanguage:
    'Nuestros artículos de ayuda están escritos en {languages}, así que no he podido encontrar una respuesta en {language}. Puedes volver a preguntar en {languages} o dejar tu pregunta aquí: queda guardada y el equipo de soporte podrá responderte.',
  greeting: '¡Hola! Soy el asistente virtual de soporte. ¿En qué puedo ayudarte hoy?',
  topicsVoice: 'Nuestros artículos de ayuda tratan temas como {topics}.',
  capabilities:
    'Soy el asistente virtual de soporte: respondo preguntas a partir de nuestros artículos de ayuda, paso a paso. Describe lo que necesitas con tus propias palabras o elige un tema.',
  capabilitiesEmpty:
    'Soy el asistente virtual de soporte. Aún no hay artículos de ayuda aquí, pero tus mensajes quedan guardados y el equipo de soporte puede responderte aquí.',
  thanks: '¡De nada! ¿Puedo ayudarte con algo más?',
  resolved: '¡Genial, me alegro de que se haya resuelto! Si surge cualquier otra cosa, pregunta.',
  goodbye: 'Gracias por escribirnos. ¡Que tengas un buen día y vuelve cuando necesites ayuda!',
  human:
    'Soy un asistente automático, así que no puedo transferirte, pero esta conversación queda guardada y el equipo de soporte puede verla, y alguien podrá responderte aquí. Si es urgente, contacta directamente con tu equipo de soporte. Mientras tanto, cuéntame qué ocurre y veré si alguno de nuestros artículos de ayuda lo trata.',
  attachmentOne: 'Gracias, he recibido tu archivo «{name}».',
  attachmentMany: 'Gracias, he recibido tus {count} archivos.',
  cantSeeImages:
    'No puedo ver imágenes yo mismo, pero quedan guardadas con esta conversación, así que el equipo de soporte podrá verlas.',
  cantOpenFiles:
    'No puedo abrir archivos adjuntos yo mismo, pero quedan guardados con esta conversación, así que el equipo de soporte podrá verlos.',
  describeIt:
    '¿Podrías describir también el problema con palabras, por ejemplo el mensaje de error exacto y lo que estabas haciendo?',
}
