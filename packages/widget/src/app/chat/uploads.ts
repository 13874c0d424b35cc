/** Contract: at most 10 MB; the type must start with image/, application/pdf or text/. */
export const MAX_UPLOAD_BYTES = 10 * 1024 * 1024
export const MAX_FILES_PER_MESSAGE = 5
export const ACCEPT = 'image/*,application/pdf,text/*'

/** Why a file can't be uploaded, checked before sending a byte; `undefined` when it can. */
export function checkFile(file: {
  size: number
  type: string
}): 'tooLarge' | 'badType' | undefined {
  if (!/^(?:image\/|application\/pdf$|text\/)/i.test(file.type)) return 'badType'
  if (file.size > MAX_UPLOAD_BYTES) return 'tooLarge'
  if (file.size === 0) return 'badType'
  return undefined
}

/** Human file size: 512 B, 48 KB, 3.4 MB. */
export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`
}
