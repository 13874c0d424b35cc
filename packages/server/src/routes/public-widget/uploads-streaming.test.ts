import { request as httpRequest } from 'node:http'
import type { AddressInfo } from 'node:net'
import { describe, expect, it } from 'vitest'
import { buildTestApp, createTestTenant } from '../../../test/helpers.ts'

let ipCounter = 0
const _freshIp = () => `10.2.${Math.floor(++ipCounter / 250)}.${ipCounter % 250}`

describe('upload streaming over a real socket', () => {
  it('answers 413 while a 40 MB upload is still being sent (the body is streamed, not buffered)', async () => {
    const t = await buildTestApp()
    try {
      const a = await createTestTenant(t.db)
      await t.app.listen({ port: 0, host: '127.0.0.1' })
      const { port } = t.app.server.address() as AddressInfo
      const boundary = 'aurionStreamBoundary'
      const head = Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="tenant_id"\r\n\r\n${a.tenantId}\r\n` +
          `--${boundary}\r\nContent-Disposition: form-data; name="public_key"\r\n\r\n${a.publicKey}\r\n` +
          `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.txt"\r\nContent-Type: text/plain\r\n\r\n`,
      )
      const total = 40 * 1024 * 1024
      const chunk = Buffer.alloc(64 * 1024, 0x61)
      const result = await new Promise<{ status: number; body: string; sent: number }>(
        (resolve, reject) => {
          let sent = 0
          let answered = false
          const req = httpRequest({
            host: '127.0.0.1',
            port,
            method: 'POST',
            path: '/api/v1/widget/uploads',
            headers: {
              origin: 'https://example.com',
              'content-type': `multipart/form-data; boundary=${boundary}`,
            },
          })
          req.on('response', (res) => {
            answered = true
            const sentWhenAnswered = sent
            let body = ''
            res.setEncoding('utf8')
            res.on('data', (d: string) => {
              body += d
            })
            res.on('end', () => {
              req.destroy()
              resolve({ status: res.statusCode ?? 0, body, sent: sentWhenAnswered })
            })
          })
          req.on('error', (err) => {
            if (!answered) reject(err)
          })
          req.write(head)
          // One chunk per turn of the event loop, so an early answer is seen when it arrives.
          const pump = () => {
            if (answered) return
            if (sent >= total) {
              req.end(`\r\n--${boundary}--\r\n`)
              return
            }
            sent += chunk.length
            if (req.write(chunk)) setImmediate(pump)
            else req.once('drain', pump)
          }
          pump()
        },
      )
      expect(result.status).toBe(413)
      expect(JSON.parse(result.body)).toEqual({
        detail: 'File too large: the maximum upload size is 10 MB',
      })
      expect(result.sent).toBeLessThan(total)
      expect(await t.db.selectFrom('uploads').select('id').execute()).toEqual([])
    } finally {
      await t.close()
    }
  })
})
