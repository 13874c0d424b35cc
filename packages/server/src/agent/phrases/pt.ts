import type { Phrases } from './en.ts'

export const pt: Phrases = {
  troubleLead: 'Lamento que isso não tenha resolvido.',
  notCovered: 'Nosso artigo “{title}” não trata disso especificamente.',
  notCoveredVoice: 'Nosso artigo “{title}” não trata disso especificamente. Ele trata de {topics}.',
  exhausted:
    'Isso é tudo o que nosso artigo “{title}” aborda. Se ainda não funcionar, alguém da equipe de suporte deve dar uma olhada: sua conversa fica salva aqui, então a equipe pode retomá-la.',
  alsoCoversVoice: 'O artigo também trata de {topics}.',
  sourceVoice: 'Isso é do nosso artigo de ajuda “{title}”.',
  or: 'ou',
  noArticles:
    'Não encontrei nada: ainda não há artigos de ajuda aqui. Sua mensagem fica salva, então alguém da equipe de suporte pode responder aqui.',
  notFound:
    'Não encontrei isso em nossos artigos de ajuda. Você pode reformular a pergunta ou me contar um pouco mais? Se for outra coisa, sua mensagem fica salva e a equipe de suporte pode responder aqui.',
  notFoundVoice:
    'Não encontrei isso em nossos artigos de ajuda. Eles tratam de temas como {topics}. Você pode me contar um pouco mais?',
  otherLanguage:
    'Nossos artigos de ajuda estão escritos em {languages}, por isso não consegui encontrar uma resposta em {language}. Você pode perguntar de novo em {languages} ou deixar sua pergunta aqui: ela fica salva e a equipe de suporte pode responder.',
  greeting: 'Olá! Sou o assistente virtual de suporte. Como posso ajudar você hoje?',
  topicsVoice: 'Nossos artigos de ajuda tratam de temas como {topics}.',
  capabilities:
    'Sou o assistente virtual de suporte: respondo a perguntas com base em nossos artigos de ajuda, passo a passo. Descreva o que você precisa com suas palavras ou escolha um tema.',
  capabilitiesEmpty:
    'Sou o assistente virtual de suporte. Ainda não há artigos de ajuda aqui, mas suas mensagens ficam salvas e a equipe de suporte pode responder aqui.',
  thanks: 'De nada! Posso ajudar em mais alguma coisa?',
  resolved: 'Ótimo, que bom que resolveu! Se precisar de mais alguma coisa, é só perguntar.',
  goodbye: 'Obrigado pela conversa. Tenha um bom dia e volte sempre que precisar!',
  human:
    'Sou um assistente automático, então não posso transferir você, mas esta conversa fica salva e visível para a equipe de suporte, e alguém pode responder aqui. Se for urgente, entre em contato diretamente com sua equipe de suporte. Enquanto isso, conte o que está acontecendo e vou ver se algum de nossos artigos de ajuda trata disso.',
  attachmentOne: 'Obrigado, recebi seu arquivo “{name}”.',
  attachmentMany: 'Obrigado, recebi seus {count} arquivos.',
  cantSeeImages:
    'Não consigo ver imagens, mas elas ficam salvas com esta conversa, então a equipe de suporte pode vê-las.',
  cantOpenFiles:
    'Não consigo abrir anexos, mas eles ficam salvos com esta conversa, então a equipe de suporte pode vê-los.',
  describeIt:
    'Você pode também descrever o problema em palavras, por exemplo a mensagem de erro exata e o que estava fazendo?',
}
