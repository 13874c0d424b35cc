import type { ApiTarget, UploadResponse } from './endpoints.ts'

// Loaded when the visitor first attaches a file (not part of the chat chunk).

/**
 * Multipart body of `POST /widget/uploads` (sent with XHR for progress events). The fields are
 * sent in this order, and the server refuses a file that comes before the credentials.
 */
export function uploadRequest(t: ApiTarget, file: Blob, fileName: string) {
  const form = new FormData()
  form.set('tenant_id', t.tenantId)
  form.set('public_key', t.publicKey)
  form.set('file', file, fileName)
  return { url: `${t.apiBase}/api/v1/widget/uploads`, form }
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
