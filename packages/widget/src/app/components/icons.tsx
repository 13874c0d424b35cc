import type { JSX } from 'preact'

/**
 * A 24×24 line icon drawn with the text colour, hidden from assistive technology. The lazy parts
 * (answers, feedback, history) draw theirs with it too: this module is in the chat chunk, which
 * is always loaded before them.
 */
export const strokeSvg = (d: string, extra?: JSX.Element, cls?: string) => (
  <svg
    viewBox="0 0 24 24"
    fill="none"
    stroke="currentColor"
    stroke-width="2"
    stroke-linecap="round"
    stroke-linejoin="round"
    aria-hidden="true"
    focusable="false"
    class={cls}
  >
    <path d={d} />
    {extra}
  </svg>
)

const stroke = (d: string, extra?: JSX.Element) => () => strokeSvg(d, extra)

/** Inline SVG icons (no icon font, no requests). */
export const Icon = {
  close: stroke('M6 6l12 12M18 6 6 18'),
  minimize: stroke('m6 9.5 6 6 6-6'),
  back: stroke('M15 18l-6-6 6-6'),
  history: stroke('M3.5 12a8.5 8.5 0 1 0 2.6-6.1L3.5 8.5M3.5 4v4.5H8M12 7.5V12l3 2'),
  phone: stroke(
    'M21 16.4v3a2 2 0 0 1-2.2 2 19.8 19.8 0 0 1-8.6-3.1 19.5 19.5 0 0 1-6-6A19.8 19.8 0 0 1 1.1 3.7 2 2 0 0 1 3.1 1.5h3a2 2 0 0 1 2 1.7c.1 1 .4 1.9.7 2.8a2 2 0 0 1-.5 2.1L7.1 9.4a16 16 0 0 0 6 6l1.3-1.3a2 2 0 0 1 2.1-.4c.9.3 1.8.6 2.8.7a2 2 0 0 1 1.7 2Z',
  ),
  hangup: stroke(
    'M3.2 14.6 1.6 13a1.7 1.7 0 0 1 0-2.4C7.4 5.1 16.6 5.1 22.4 10.6a1.7 1.7 0 0 1 0 2.4l-1.6 1.6a1.7 1.7 0 0 1-2.2.2l-2-1.4a1.7 1.7 0 0 1-.7-1.5V10a12 12 0 0 0-7.8 0v2a1.7 1.7 0 0 1-.7 1.4l-2 1.4a1.7 1.7 0 0 1-2.2-.2Z',
  ),
  mic: stroke(
    'M12 15a3 3 0 0 0 3-3V6a3 3 0 0 0-6 0v6a3 3 0 0 0 3 3ZM5.5 11a6.5 6.5 0 0 0 13 0M12 17.5V21',
  ),
  micOff: stroke(
    'M3 3l18 18M9 9v3a3 3 0 0 0 5.1 2.1M15 9.3V6a3 3 0 0 0-5.9-.7M18.5 11a6.5 6.5 0 0 1-.9 3.3M5.5 11a6.5 6.5 0 0 0 10 5.5M12 17.5V21',
  ),
  clip: stroke(
    'm21.4 11.1-9.2 9.2a6 6 0 0 1-8.5-8.5l9.2-9.2a4 4 0 0 1 5.7 5.7l-9.2 9.2a2 2 0 0 1-2.8-2.8l8.5-8.5',
  ),
  send: stroke('M12 19V5M5 12l7-7 7 7'),
  file: stroke(
    'M14 2.5H6.5a2 2 0 0 0-2 2v15a2 2 0 0 0 2 2h11a2 2 0 0 0 2-2V8ZM14 2.5V8h5.5M8.5 13h7M8.5 17h5',
  ),
  image: stroke(
    'M5 3.5h14a1.5 1.5 0 0 1 1.5 1.5v14a1.5 1.5 0 0 1-1.5 1.5H5A1.5 1.5 0 0 1 3.5 19V5A1.5 1.5 0 0 1 5 3.5ZM20.5 15l-5-5L5 20.5',
    <circle cx="9" cy="9" r="1.8" />,
  ),
  alert: stroke(
    'M12 8.5v4.5M12 16.5h.01M10.3 3.9 2.4 17.5a2 2 0 0 0 1.7 3h15.8a2 2 0 0 0 1.7-3L13.7 3.9a2 2 0 0 0-3.4 0Z',
  ),
  offline: stroke(
    'M3 3l18 18M8.5 16.5a5 5 0 0 1 7 0M5 12.9a10 10 0 0 1 5.2-2.8M19 12.9a10 10 0 0 0-2-1.5M2 8.8a15 15 0 0 1 4.2-2.7M22 8.8A15 15 0 0 0 10.5 5M12 20h.01',
  ),
  chat: stroke('M21 12a8.5 8.5 0 0 1-12.4 7.6L3 21l1.4-5.6A8.5 8.5 0 1 1 21 12Z'),
  plus: stroke('M12 5v14M5 12h14'),
  volume: stroke('M11 5 6 9H2.5v6H6l5 4ZM15.5 8.5a5 5 0 0 1 0 7M19 5a10 10 0 0 1 0 14'),
  spark: () => (
    <svg viewBox="0 0 24 24" fill="currentColor" aria-hidden="true" focusable="false">
      <path d="M12 2.8 14 9a1.6 1.6 0 0 0 1 1l6.2 2-6.2 2a1.6 1.6 0 0 0-1 1L12 21.2 10 15a1.6 1.6 0 0 0-1-1l-6.2-2L9 10a1.6 1.6 0 0 0 1-1Z" />
    </svg>
  ),
}
