import type { PublicWidgetConfig } from '@aurion/contract'

/** Console → preview frame: render the widget with this (unsaved) config. */
export interface PreviewUpdate {
  type: 'aurion-preview:update'
  config: PublicWidgetConfig
  settings: { appId: string; publicKey: string; locale?: string; open: boolean }
}

/** Preview frame → console. */
export type PreviewEvent =
  | { type: 'aurion-preview:ready' }
  | { type: 'aurion-preview:rendered'; revision: number }
  | { type: 'aurion-preview:error'; message: string }

export function isPreviewEvent(data: unknown): data is PreviewEvent {
  const t = (data as { type?: unknown } | null)?.type
  return (
    t === 'aurion-preview:ready' || t === 'aurion-preview:rendered' || t === 'aurion-preview:error'
  )
}

export function isPreviewUpdate(data: unknown): data is PreviewUpdate {
  const d = data as Partial<PreviewUpdate> | null
  return (
    d?.type === 'aurion-preview:update' &&
    typeof d.config === 'object' &&
    d.config !== null &&
    typeof d.settings === 'object' &&
    d.settings !== null
  )
}

/** What a visitor's message gets in the preview: it is not sent anywhere. */
export const PREVIEW_REPLY =
  'This is a preview: messages are not sent. Save your changes, then try the assistant on your site.'
