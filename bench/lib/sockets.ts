import WebSocket from 'ws'

/**
 * The i-th client source address on loopback (127.0.1.1, 127.0.1.2, …): visitors come from many
 * addresses, as on the internet, so per-address limits apply to each as they would in production.
 */
export function sourceAddress(i: number): string {
  return `127.${1 + Math.floor(i / 62_500)}.${Math.floor(i / 250) % 250}.${1 + (i % 250)}`
}

/** Opens one socket; resolves once open, rejects on error or an early close. */
export function openSocket(
  url: string,
  opts: { origin?: string; localAddress?: string; timeoutMs?: number } = {},
): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, {
      ...(opts.origin ? { origin: opts.origin } : {}),
      ...(opts.localAddress ? { localAddress: opts.localAddress } : {}),
      perMessageDeflate: false,
      handshakeTimeout: opts.timeoutMs ?? 30_000,
    })
    ws.once('open', () => {
      ws.off('error', reject)
      ws.on('error', () => {})
      resolve(ws)
    })
    ws.once('error', reject)
    ws.once('close', (code) => reject(new Error(`closed with ${code} before opening`)))
  })
}

/** Opens `count` sockets, `concurrency` handshakes at a time; socket i comes from `address(i)`. */
export async function openMany(
  count: number,
  url: (i: number) => string,
  opts: { origin?: string; address?: (i: number) => string; concurrency?: number } = {},
): Promise<WebSocket[]> {
  const sockets: WebSocket[] = new Array(count)
  let next = 0
  const worker = async () => {
    for (let i = next++; i < count; i = next++) {
      sockets[i] = await openSocket(url(i), {
        ...(opts.origin ? { origin: opts.origin } : {}),
        ...(opts.address ? { localAddress: opts.address(i) } : {}),
      })
    }
  }
  try {
    await Promise.all(Array.from({ length: opts.concurrency ?? 100 }, worker))
  } catch (err) {
    closeAll(sockets.filter(Boolean))
    throw err
  }
  return sockets
}

/** Drops every socket at once (no closing handshake: 10,000 of them would take a while). */
export function closeAll(sockets: WebSocket[]): void {
  for (const ws of sockets) ws.terminate()
}
