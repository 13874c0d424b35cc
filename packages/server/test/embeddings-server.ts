import { createHash } from 'node:crypto'
import { createServer, type IncomingHttpHeaders } from 'node:http'
import type { AddressInfo } from 'node:net'

/**
 * Words that mean the same thing share a dimension: a question and an article with no word in
 * common still point the same way when they speak of the same things. Everything else lands,
 * more faintly, in one of {@link HASHED} dimensions picked by a hash of the word.
 */
const CONCEPTS: readonly (readonly string[])[] = [
  ['refund', 'refunds', 'reimburse', 'reimbursed', 'reimbursement', 'money', 'repay', 'repaid'],
  ['broken', 'damaged', 'cracked', 'defective', 'smashed', 'shattered'],
  ['package', 'packages', 'parcel', 'parcels', 'delivery', 'deliveries', 'shipment', 'shipping'],
  ['hours', 'open', 'opens', 'opening', 'closing', 'closed', 'weekdays', 'saturdays'],
  ['password', 'passcode', 'credentials', 'login', 'sign'],
]
const HASHED = 32
export const CONCEPT_DIMS = CONCEPTS.length + HASHED
const CONCEPT_OF = new Map<string, number>()
for (const [i, words] of CONCEPTS.entries()) for (const w of words) CONCEPT_OF.set(w, i)

/** The deterministic embedding of a text (not normalized: the client does that). */
export function conceptEmbedding(text: string): number[] {
  const v = new Array<number>(CONCEPT_DIMS).fill(0)
  for (const word of text.toLowerCase().match(/\p{L}+/gu) ?? []) {
    const c = CONCEPT_OF.get(word)
    if (c !== undefined) v[c]! += 1
    else v[CONCEPTS.length + (createHash('sha1').update(word).digest()[0]! % HASHED)]! += 0.25
  }
  return v
}

export interface EmbeddingsRequest {
  headers: IncomingHttpHeaders
  model: string
  input: string[]
}

export interface EmbeddingsServer {
  /** API root (`http://127.0.0.1:PORT/v1`). */
  url: string
  requests: EmbeddingsRequest[]
  /** `ok`: answers; a number: answers with that HTTP status; `short`: one vector too few. */
  mode: 'ok' | 'short' | number
  close(): Promise<void>
}

/** A loopback server speaking the OpenAI embeddings API with {@link conceptEmbedding}. */
export async function startEmbeddingsServer(): Promise<EmbeddingsServer> {
  const state: EmbeddingsServer = {
    url: '',
    requests: [],
    mode: 'ok',
    close: async () => {},
  }
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const reply = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' })
        res.end(JSON.stringify(body))
      }
      if (req.method !== 'POST' || req.url !== '/v1/embeddings')
        return reply(404, { error: { message: 'not found' } })
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
        model: string
        input: string | string[]
      }
      const input = typeof body.input === 'string' ? [body.input] : body.input
      state.requests.push({ headers: req.headers, model: body.model, input })
      if (typeof state.mode === 'number')
        return reply(state.mode, { error: { message: 'embeddings unavailable' } })
      const data = input.map((text, index) => ({
        object: 'embedding',
        index,
        embedding: conceptEmbedding(text),
      }))
      if (state.mode === 'short') data.pop()
      reply(200, { object: 'list', model: body.model, data, usage: { prompt_tokens: 0 } })
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`
  state.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections()
      server.close(() => resolve())
    })
  return state
}
