import { randomBytes } from 'node:crypto'

/** One part of a multipart/form-data body: a field or a file. */
export type Part =
  | { name: string; value: string }
  | { name: string; filename: string; type: string; data: Buffer }

/** A multipart/form-data body, encoded by hand so tests control every byte and the part order. */
export function multipart(parts: Part[]): { payload: Buffer; contentType: string } {
  const boundary = `----aurion${randomBytes(8).toString('hex')}`
  const chunks: Buffer[] = []
  for (const p of parts) {
    chunks.push(Buffer.from(`--${boundary}\r\n`))
    if ('filename' in p) {
      chunks.push(
        Buffer.from(
          `Content-Disposition: form-data; name="${p.name}"; filename="${p.filename}"\r\nContent-Type: ${p.type}\r\n\r\n`,
        ),
        p.data,
        Buffer.from('\r\n'),
      )
    } else {
      chunks.push(
        Buffer.from(`Content-Disposition: form-data; name="${p.name}"\r\n\r\n${p.value}\r\n`),
      )
    }
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`))
  return {
    payload: Buffer.concat(chunks),
    contentType: `multipart/form-data; boundary=${boundary}`,
  }
}
