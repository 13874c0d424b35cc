import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { type AddressInfo, connect, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createServer } from 'node:tls'

/** A TLS listener on loopback that forwards every connection to a plain HTTP port. */
export interface TlsFront {
  /** The loopback port it listens on (map `host:443` to it in Chromium). */
  port: number
  close(): Promise<void>
}

/**
 * Terminates TLS for the given host names (a throwaway self-signed certificate made with the
 * system's openssl) and forwards the bytes to `127.0.0.1:targetPort`. With Chromium's
 * `--host-resolver-rules` mapping `name:443` to this port, a page loads as `https://name` — a
 * real secure origin without port 443 or a public certificate (the context ignores the
 * certificate's issuer).
 */
export async function startTlsFront(names: string[], targetPort: number): Promise<TlsFront> {
  const dir = mkdtempSync(join(tmpdir(), 'aurion-tls-'))
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '1',
        '-subj',
        `/CN=${names[0]}`,
        '-addext',
        `subjectAltName=${names.map((n) => `DNS:${n}`).join(',')}`,
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    )
    const key = readFileSync(join(dir, 'key.pem'))
    const cert = readFileSync(join(dir, 'cert.pem'))
    const sockets = new Set<Socket>()
    const server = createServer({ key, cert }, (tls) => {
      const upstream = connect(targetPort, '127.0.0.1')
      sockets.add(tls)
      sockets.add(upstream)
      tls.pipe(upstream).pipe(tls)
      const done = () => {
        tls.destroy()
        upstream.destroy()
        sockets.delete(tls)
        sockets.delete(upstream)
      }
      tls.on('error', done).on('close', done)
      upstream.on('error', done).on('close', done)
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    return {
      port: (server.address() as AddressInfo).port,
      close: () =>
        new Promise<void>((resolve) => {
          for (const s of sockets) s.destroy()
          server.close(() => resolve())
        }),
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
