const svg = (body: string, filled?: boolean) =>
  `<svg viewBox="0 0 24 24" ${
    filled
      ? 'fill="currentColor"'
      : 'fill="none" stroke="currentColor" stroke-width="2.2" stroke-linecap="round"'
  }>${body}</svg>`

/**
 * Inline SVG markup of the launcher (constant strings, never built from input). No aria-hidden:
 * the launcher's aria-label is its name, so its content is not read.
 */
export const ICONS = {
  chat: svg(
    '<path d="M12 3.5c-5 0-9 3.5-9 8 0 2.2 1 4.2 2.7 5.6L5 21l4.6-2.2c.8.2 1.6.3 2.4.3 5 0 9-3.6 9-8s-4-7.6-9-7.6Z"/><path d="M8 11.5h.01m4 0h.01m4 0h.01" stroke="var(--aw-p)" stroke-width="2.6" stroke-linecap="round"/>',
    true,
  ),
  mic: svg(
    '<rect x="9" y="3" width="6" height="11" rx="3"/><path d="M5.5 11a6.5 6.5 0 0 0 13 0M12 17.5V21"/>',
  ),
  down: svg('<path d="m6 9.5 6 6 6-6"/>'),
}
