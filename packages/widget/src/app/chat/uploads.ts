import { type ApiTarget, type UploadResponse, uploadRequest } from './endpoints.ts'

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

/**
 * Uploads one file with XHR (fetch can't report upload progress). `onProgress` gets 0…1.
 * Rejects with the server's status (0 for a network error or abort).
 */
export function uploadFile(
  t: ApiTarget,
  file: File,
  onProgress: (fraction: number) => void,
  signal?: AbortSignal,
): Promise<UploadResponse> {
  const { url, form } = uploadRequest(t, file, file.name)
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest()
    xhr.open('POST', url)
    xhr.responseType = 'json'
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress(e.loaded / e.total)
    }
    xhr.onload = () => {
      if (xhr.status === 201 || xhr.status === 200) resolve(xhr.response as UploadResponse)
      else reject(Object.assign(new Error(`upload failed (${xhr.status})`), { status: xhr.status }))
    }
    xhr.onerror = xhr.onabort = () =>
      reject(Object.assign(new Error('upload failed'), { status: 0 }))
    signal?.addEventListener('abort', () => xhr.abort())
    xhr.send(form)
  })
}
