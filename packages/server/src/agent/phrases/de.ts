import type { Phrases } from './en.ts'

export const de: Phrases = {
  troubleLead: 'Schade, dass das nicht geholfen hat.',
  notCovered: 'Unser Artikel „{title}“ behandelt genau das nicht.',
  notCoveredVoice: 'Unser Artikel „{title}“ behandelt genau das nicht. Er behandelt {topics}.',
  exhausted:
    'Das ist alles, was unser Artikel „{title}“ behandelt. Wenn es immer noch nicht funktioniert, sollte sich jemand aus dem Support-Team das ansehen: Ihre Unterhaltung ist hier gespeichert, sodass das Team sie aufgreifen kann.',
  alsoCoversVoice: 'Der Artikel behandelt außerdem {topics}.',
  sourceVoice: 'Das stammt aus unserem Hilfeartikel „{title}“.',
  or: 'oder',
  noArticles:
    'Dazu habe ich nichts gefunden: Hier gibt es noch keine Hilfeartikel. Ihre Nachricht ist gespeichert, sodass jemand aus dem Support-Team hier antworten kann.',
  notFound:
    'Dazu habe ich in unseren Hilfeartikeln nichts gefunden. Können Sie Ihre Frage anders formulieren oder etwas mehr erzählen? Falls es um etwas anderes geht: Ihre Nachricht ist gespeichert, und das Support-Team kann hier antworten.',
  notFoundVoice:
    'Dazu habe ich in unseren Hilfeartikeln nichts gefunden. Sie behandeln Themen wie {topics}. Können Sie mir etwas mehr erzählen?',
  otherLanguage:
    'Unsere Hilfeartikel sind auf {languages} verfasst, daher konnte ich auf {language} keine Antwort finden. Sie können Ihre Frage auf {languages} stellen oder sie hier lassen: Sie ist gespeichert, und das Support-Team kann antworten.',
  greeting: 'Hallo! Ich bin der virtuelle Support-Assistent. Wobei kann ich Ihnen heute helfen?',
  topicsVoice: 'Unsere Hilfeartikel behandeln Themen wie {topics}.',
  capabilities:
    'Ich bin der virtuelle Support-Assistent: Ich beantworte Fragen anhand unserer Hilfeartikel, Schritt für Schritt. Beschreiben Sie in eigenen Worten, was Sie brauchen, oder wählen Sie ein Thema.',
  capabilitiesEmpty:
    'Ich bin der virtuelle Support-Assistent. Hier gibt es noch keine Hilfeartikel, aber Ihre Nachrichten werden gespeichert, und das Support-Team kann hier antworten.',
  thanks: 'Gern geschehen! Kann ich Ihnen sonst noch helfen?',
  resolved: 'Prima, schön, dass es jetzt klappt! Wenn noch etwas ist, fragen Sie einfach.',
  goodbye: 'Danke für das Gespräch. Einen schönen Tag noch, und melden Sie sich jederzeit wieder!',
  human:
    'Ich bin ein automatischer Assistent und kann Sie nicht weiterverbinden. Diese Unterhaltung ist aber gespeichert und für das Support-Team sichtbar, und jemand kann Ihnen hier antworten. Wenn es dringend ist, wenden Sie sich bitte direkt an Ihr Support-Team. Erzählen Sie mir in der Zwischenzeit, worum es geht, dann sehe ich nach, ob einer unserer Hilfeartikel das behandelt.',
  attachmentOne: 'Danke, Ihre Datei „{name}“ ist angekommen.',
  attachmentMany: 'Danke, Ihre {count} Dateien sind angekommen.',
  cantSeeImages:
    'Bilder kann ich selbst nicht ansehen, aber sie sind mit dieser Unterhaltung gespeichert, sodass das Support-Team sie sehen kann.',
  cantOpenFiles:
    'Anhänge kann ich selbst nicht öffnen, aber sie sind mit dieser Unterhaltung gespeichert, sodass das Support-Team sie sehen kann.',
  describeIt:
    'Können Sie das Problem auch in Worten beschreiben, zum Beispiel die genaue Fehlermeldung und was Sie gerade getan haben?',
}
