/** Multipart bodies for the upload operations: well-formed, broken and oversized. */
import fc from 'fast-check'
import type { World } from './types.ts'

export function multipartBody(
  f: World['fuzz'],
): fc.Arbitrary<{ body?: string | Buffer; contentType?: string; what: string }> {
  const field = (b: string, name: string, value: string) =>
    `--${b}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`
  const file = (b: string, filename: string, type: string, content: string | Buffer) =>
    Buffer.concat([
      Buffer.from(
        `--${b}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: ${type}\r\n\r\n`,
      ),
      Buffer.isBuffer(content) ? content : Buffer.from(content),
      Buffer.from('\r\n'),
    ])
  const creds = (b: string) =>
    field(b, 'tenant_id', f.tenantId) + field(b, 'public_key', f.publicKey)
  const b = 'BenchBoundary7MA4YWxkTrZu0gW'
  const ct = `multipart/form-data; boundary=${b}`
  const end = `--${b}--\r\n`
  const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex')
  const cases: { body: string | Buffer; contentType?: string; what: string }[] = [
    {
      body: Buffer.concat([
        Buffer.from(creds(b)),
        file(b, 'ok.txt', 'text/plain', 'fine'),
        Buffer.from(end),
      ]),
      contentType: ct,
      what: 'well-formed upload',
    },
    {
      body: Buffer.concat([Buffer.from(creds(b)), file(b, 'ok.txt', 'text/plain', 'fine')]),
      contentType: ct,
      what: 'multipart without closing boundary',
    },
    { body: Buffer.from(creds(b) + end), contentType: ct, what: 'no file part' },
    {
      body: Buffer.concat([file(b, 'a.txt', 'text/plain', 'x'), Buffer.from(creds(b) + end)]),
      contentType: ct,
      what: 'file before the credentials',
    },
    {
      body: Buffer.concat([
        Buffer.from(creds(b)),
        file(b, 'a.txt', 'text/plain', 'x'),
        file(b, 'b.txt', 'text/plain', 'y'),
        Buffer.from(end),
      ]),
      contentType: ct,
      what: 'two files',
    },
    {
      body: Buffer.concat([
        Buffer.from(creds(b)),
        file(b, '../../etc/passwd', 'text/plain', 'x'),
        Buffer.from(end),
      ]),
      contentType: ct,
      what: 'path traversal file name',
    },
    {
      body: Buffer.concat([
        Buffer.from(creds(b)),
        file(b, 'a\u0000b.png', 'image/png', PNG),
        Buffer.from(end),
      ]),
      contentType: ct,
      what: 'null byte in file name',
    },
    {
      body: Buffer.concat([
        Buffer.from(creds(b)),
        file(b, 'évil‮gpj.exe', 'image/jpeg', 'MZ\u0090\u0000'),
        Buffer.from(end),
      ]),
      contentType: ct,
      what: 'exe claiming jpeg, RTL name',
    },
    {
      body: Buffer.concat([
        Buffer.from(creds(b)),
        file(b, 'x.svg', 'image/svg+xml', '<svg onload="alert(1)"/>'),
        Buffer.from(end),
      ]),
      contentType: ct,
      what: 'svg with script',
    },
    {
      body: Buffer.concat([
        Buffer.from(creds(b)),
        file(b, 'x.html', 'text/html', '<script>alert(1)</script>'),
        Buffer.from(end),
      ]),
      contentType: ct,
      what: 'html upload',
    },
    {
      body: Buffer.concat([
        Buffer.from(creds(b)),
        file(b, 'empty.txt', 'text/plain', ''),
        Buffer.from(end),
      ]),
      contentType: ct,
      what: 'empty file',
    },
    {
      body: Buffer.from(creds(b) + field(b, 'tenant_id', 'again') + end),
      contentType: ct,
      what: 'repeated field',
    },
    {
      body: Buffer.from(field(b, 'tenant_id', 'x'.repeat(10_000)) + end),
      contentType: ct,
      what: 'field over the size limit',
    },
    {
      body: Buffer.from(
        Array.from({ length: 20 }, (_, i) => field(b, `f${i}`, 'v')).join('') + end,
      ),
      contentType: ct,
      what: 'too many parts',
    },
    {
      body: Buffer.concat([
        Buffer.from(creds(b)),
        file(b, 'big.txt', 'text/plain', Buffer.alloc(11 * 1024 * 1024, 97)),
        Buffer.from(end),
      ]),
      contentType: ct,
      what: 'file over 10 MB',
    },
    {
      body: Buffer.from(creds(b) + end),
      contentType: 'multipart/form-data',
      what: 'no boundary parameter',
    },
    {
      body: Buffer.from(creds(b) + end),
      contentType: 'multipart/form-data; boundary=other',
      what: 'wrong boundary',
    },
    { body: Buffer.from('--\r\n\r\n--'), contentType: ct, what: 'garbage multipart' },
    {
      body: JSON.stringify({ tenant_id: f.tenantId, public_key: f.publicKey }),
      contentType: 'application/json',
      what: 'JSON instead of multipart',
    },
    {
      body: Buffer.from(
        `--${b}\r\nContent-Disposition: form-data; name="file"; filename="x.txt"\r\nContent-Type: text/plain\r\n\r\n`,
      ),
      contentType: ct,
      what: 'body cut inside the file',
    },
  ]
  return fc.constantFrom(...cases)
}
