import net from 'node:net'

/**
 * A free loopback port: bound by the kernel's pick, then released. Another process could take it
 * before the caller binds it; good enough for tests on one machine.
 */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer()
    srv.once('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo
      srv.close(() => resolve(port))
    })
  })
}
