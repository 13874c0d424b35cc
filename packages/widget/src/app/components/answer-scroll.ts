/** Room left above the start of an answer brought into view. */
const PAD = 16

/**
 * Scrolls the message list for the newest message: to the bottom, except that a reply longer
 * than the view stops with its start at the top (the visitor reads from there), and never up.
 * The newest reply's row is marked `data-answer` (see MessageList).
 */
export function scrollForNewest(el: HTMLElement): void {
  const bottom = el.scrollHeight - el.clientHeight
  const answer = el.querySelector<HTMLElement>('.aw-row[data-answer]')
  let target = bottom
  if (answer) {
    const top =
      answer.getBoundingClientRect().top - el.getBoundingClientRect().top + el.scrollTop - PAD
    target = Math.min(bottom, Math.max(0, top))
  }
  if (target > el.scrollTop) el.scrollTop = target
}
