import type { Phrases } from './en.ts'

export const fr: Phrases = {
  troubleLead: 'Désolé, cela n’a pas réglé le problème.',
  notCovered: 'Notre article « {title} » ne traite pas précisément de cela.',
  notCoveredVoice:
    'Notre article « {title} » ne traite pas précisément de cela. Il traite de {topics}.',
  exhausted:
    'C’est tout ce que couvre notre article « {title} ». Si cela ne fonctionne toujours pas, un membre de l’équipe d’assistance devrait y jeter un œil : votre conversation est enregistrée ici, l’équipe pourra la reprendre.',
  alsoCoversVoice: 'L’article traite aussi de {topics}.',
  sourceVoice: 'Cela vient de notre article d’aide « {title} ».',
  or: 'ou',
  noArticles:
    'Je n’ai rien trouvé : il n’y a pas encore d’articles d’aide ici. Votre message est enregistré, un membre de l’équipe d’assistance pourra vous répondre ici.',
  notFound:
    'Je n’ai pas trouvé cela dans nos articles d’aide. Pourriez-vous reformuler votre question ou m’en dire un peu plus ? S’il s’agit d’autre chose, votre message est enregistré et l’équipe d’assistance pourra vous répondre ici.',
  notFoundVoice:
    'Je n’ai pas trouvé cela dans nos articles d’aide. Ils traitent de sujets comme {topics}. Pourriez-vous m’en dire un peu plus ?',
  otherLanguage:
    'Nos articles d’aide sont rédigés en {languages} : je n’ai donc pas pu trouver de réponse en {language}. Vous pouvez reposer votre question en {languages}, ou la laisser ici : elle est enregistrée et l’équipe d’assistance pourra vous répondre.',
  greeting:
    'Bonjour ! Je suis l’assistant virtuel du support. Comment puis-je vous aider aujourd’hui ?',
  topicsVoice: 'Nos articles d’aide traitent de sujets comme {topics}.',
  capabilities:
    'Je suis l’assistant virtuel du support : je réponds aux questions à partir de nos articles d’aide, étape par étape. Décrivez votre besoin avec vos propres mots, ou choisissez un sujet.',
  capabilitiesEmpty:
    'Je suis l’assistant virtuel du support. Il n’y a pas encore d’articles d’aide ici, mais vos messages sont enregistrés et l’équipe d’assistance peut vous répondre ici.',
  thanks: 'Avec plaisir ! Puis-je vous aider pour autre chose ?',
  resolved: 'Parfait, ravi que ce soit réglé ! Si autre chose se présente, n’hésitez pas.',
  goodbye: 'Merci pour cet échange. Bonne journée, et revenez quand vous voulez !',
  human:
    'Je suis un assistant automatique, je ne peux donc pas vous transférer, mais cette conversation est enregistrée et visible par l’équipe d’assistance, et quelqu’un pourra vous répondre ici. En cas d’urgence, contactez directement votre équipe d’assistance. En attendant, dites-moi ce qui se passe et je vérifierai si l’un de nos articles d’aide en parle.',
  attachmentOne: 'Merci, j’ai bien reçu votre fichier « {name} ».',
  attachmentMany: 'Merci, j’ai bien reçu vos {count} fichiers.',
  cantSeeImages:
    'Je ne peux pas regarder les images moi-même, mais elles sont enregistrées avec cette conversation : l’équipe d’assistance pourra les voir.',
  cantOpenFiles:
    'Je ne peux pas ouvrir les pièces jointes moi-même, mais elles sont enregistrées avec cette conversation : l’équipe d’assistance pourra les voir.',
  describeIt:
    'Pourriez-vous aussi décrire le problème avec des mots, par exemple le message d’erreur exact et ce que vous faisiez ?',
}
