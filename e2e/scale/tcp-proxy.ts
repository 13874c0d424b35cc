import net from 'node:net'

/**
 * A loopback TCP forwarder standing between the servers and a shared service (PostgreSQL), so a
 * test can cut that service off — every open connection reset, new ones refused — without
 * stopping the service other tests and engineers are using.
 */
export interface TcpProxy {
  readonly port: number
  /** Resets every connection and refuses new ones (like the database going away). */
  cut(): Promise<void>
  /** Accepts connections again on the same port. */
  restore(): Promise<void>
  close(): Promise<void>
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const sockets = new Set<net.Socket>()
  let server: net.Server | undefined
  let port = 0

  const listen = () =>
    new Promise<void>((resolve, reject) => {
      const srv = net.createServer((client) => {
        const upstream = net.connect(target)
        for (const s of [client, upstream]) {
          sockets.add(s)
          s.once('close', () => sockets.delete(s))
          s.on('error', () => {
            client.destroy()
            upstream.destroy()
          })
        }
        client.pipe(upstream)
        upstream.pipe(client)
      })
      srv.once('error', reject)
      srv.listen(port, '127.0.0.1', () => {
        port = (srv.address() as net.AddressInfo).port
        server = srv
        resolve()
      })
    })

  const cut = async () => {
    const srv = server
    server = undefined
    for (const s of sockets) s.resetAndDestroy()
    sockets.clear()
    if (srv) await new Promise<void>((resolve) => srv.close(() => resolve()))
  }

  await listen()
  return {
    get port() {
      return port
    },
    cut,
    restore: listen,
    close: cut,
  }
}
