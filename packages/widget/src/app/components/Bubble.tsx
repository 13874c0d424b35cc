import { useEffect, useState } from 'preact/hooks'
import { storageKey, type WidgetHost } from '../../shared/host.ts'
import { useApp } from './context.ts'
import { IconButton } from './IconButton.tsx'
import { Icon } from './icons.tsx'
import { Avatar } from './MessageList.tsx'

const SHOW_AFTER_MS = 1200

function remembered(key: string): string | null {
  try {
    return localStorage.getItem(key)
  } catch {
    return null
  }
}

/** Opening the panel counts as having seen the teaser. */
export function dismissBubble(host: WidgetHost): void {
  const text = host.text('launcher_bubble_message')
  if (!text) return
  try {
    localStorage.setItem(storageKey(host.tenantId, 'bubble'), text)
  } catch {
    // Without storage it simply shows again on the next page.
  }
}

/**
 * The launcher's teaser (`launcher_bubble_message`): appears shortly after load while the panel
 * is closed, until the visitor dismisses it or opens the chat. A new message shows again.
 */
export function Bubble() {
  const { host, t } = useApp()
  const text = host.text('launcher_bubble_message')
  const key = storageKey(host.tenantId, 'bubble')
  const [gone, setGone] = useState(false)
  const [shown, setShown] = useState(false)
  useEffect(() => {
    const id = setTimeout(() => setShown(true), SHOW_AFTER_MS)
    return () => clearTimeout(id)
  }, [])
  if (!text || gone || !shown || host.isOpen() || host.isHidden() || remembered(key) === text) {
    return null
  }
  const dismiss = () => {
    dismissBubble(host)
    setGone(true)
  }
  return (
    <div class="aw-bubble">
      <button
        type="button"
        class="aw-bubble-msg"
        onClick={() => {
          dismiss()
          host.setOpen(true)
        }}
      >
        <Avatar />
        <span>{text}</span>
      </button>
      <IconButton class="aw-ib" label={t.dismiss} onClick={dismiss}>
        <Icon.close />
      </IconButton>
    </div>
  )
}
