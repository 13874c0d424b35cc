import { parentPort, workerData } from 'node:worker_threads'
import { type AttemptRequest, createAttemptMaker } from './attempt.ts'
import type { SendThreadData, ThreadAnswer } from './sender.ts'

/** In the send thread: makes each attempt the main thread asks for (sender.ts), answers when done. */
export function serve(): void {
  const port = parentPort
  if (!port) throw new Error('send-thread-loop runs in a worker thread')
  const data = workerData as SendThreadData
  const make = createAttemptMaker(data.settings)
  port.on('message', async (m: { id: number; req: AttemptRequest }) => {
    const answer: ThreadAnswer = { id: m.id, result: await make(m.req) }
    port.postMessage(answer)
  })
}
