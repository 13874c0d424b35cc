import type { EmbeddingsConfig } from '../../config.ts'
import { safeFetch } from '../../net/safe-fetch.ts'

/** An embeddings request that failed: refused target, network, HTTP status or a malformed answer. */
export class EmbeddingsError extends Error {
  override name = 'EmbeddingsError'
}

/** Turns texts into unit-length vectors with an OpenAI-compatible embeddings model. */
export interface EmbeddingsClient {
  readonly model: string
  /** One vector per text, in order; split into requests of at most the batch size. */
  embed(texts: readonly string[]): Promise<Float32Array[]>
}

/** Characters of one input sent (models cap their input; a passage longer is cut). */
export const MAX_INPUT_CHARS = 8000

/**
 * `POST {baseUrl}/embeddings` `{model, input: [...]}` under the outbound request rule
 * (net/safe-fetch.ts): a loopback or private endpoint only with `AURION_FETCH_ALLOW_PRIVATE`.
 */
export function createEmbeddingsClient(
  config: EmbeddingsConfig,
  opts: { allowPrivate: boolean },
): EmbeddingsClient {
  const url = `${config.baseUrl}/embeddings`
  const headers: Record<string, string> = { 'content-type': 'application/json' }
  if (config.apiKey) headers.authorization = `Bearer ${config.apiKey}`

  async function request(input: string[]): Promise<Float32Array[]> {
    let res: Awaited<ReturnType<typeof safeFetch>>
    try {
      res = await safeFetch(url, {
        method: 'POST',
        headers,
        body: JSON.stringify({ model: config.model, input, encoding_format: 'float' }),
        allowPrivate: opts.allowPrivate,
        timeoutMs: config.timeoutMs,
        maxBodyBytes: 256 * 1024 * 1024,
      })
    } catch (err) {
      throw new EmbeddingsError(
        `embeddings request failed: ${err instanceof Error ? err.message : String(err)}`,
        { cause: err },
      )
    }
    if (res.status !== 200)
      throw new EmbeddingsError(
        `embeddings endpoint answered ${res.status}: ${res.body.toString('utf8').slice(0, 200)}`,
      )
    return parseVectors(res.body.toString('utf8'), input.length)
  }

  return {
    model: config.model,
    async embed(texts) {
      const out: Float32Array[] = []
      for (let i = 0; i < texts.length; i += config.batchSize) {
        const batch = texts.slice(i, i + config.batchSize).map((t) => t.slice(0, MAX_INPUT_CHARS))
        out.push(...(await request(batch)))
      }
      return out
    },
  }
}

/** The `data[].embedding` of an answer, by `index`, each scaled to unit length. */
function parseVectors(text: string, expected: number): Float32Array[] {
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch {
    throw new EmbeddingsError('embeddings endpoint answered with something other than JSON')
  }
  const data = (body as { data?: unknown } | null)?.data
  if (!Array.isArray(data) || data.length !== expected)
    throw new EmbeddingsError(`embeddings answer holds no ${expected} vectors`)
  const out: (Float32Array | undefined)[] = new Array(expected)
  let dims = -1
  for (const [i, item] of data.entries()) {
    const { embedding, index } = (item ?? {}) as { embedding?: unknown; index?: unknown }
    const at = typeof index === 'number' ? index : i
    if (
      !Number.isInteger(at) ||
      at < 0 ||
      at >= expected ||
      out[at] !== undefined ||
      !Array.isArray(embedding) ||
      embedding.length === 0 ||
      (dims !== -1 && embedding.length !== dims) ||
      !embedding.every((x) => typeof x === 'number' && Number.isFinite(x))
    )
      throw new EmbeddingsError('embeddings answer holds a malformed vector')
    dims = embedding.length
    out[at] = normalized(Float32Array.from(embedding as number[]))
  }
  return out as Float32Array[]
}

/** The vector scaled to unit length (a zero vector stays zero: it matches nothing). */
export function normalized(v: Float32Array): Float32Array {
  let sum = 0
  for (const x of v) sum += x * x
  const norm = Math.sqrt(sum)
  if (norm > 0) for (let i = 0; i < v.length; i++) v[i] = v[i]! / norm
  return v
}

/** Dot product of two unit vectors of the same length: their cosine similarity. */
export function cosine(a: Float32Array, b: Float32Array): number {
  const n = a.length
  if (n !== b.length) return 0
  // Four sums at once: about half the time of one (fewer dependent additions in a row).
  let s0 = 0
  let s1 = 0
  let s2 = 0
  let s3 = 0
  let i = 0
  for (; i + 3 < n; i += 4) {
    s0 += a[i]! * b[i]!
    s1 += a[i + 1]! * b[i + 1]!
    s2 += a[i + 2]! * b[i + 2]!
    s3 += a[i + 3]! * b[i + 3]!
  }
  for (; i < n; i++) s0 += a[i]! * b[i]!
  return s0 + s1 + s2 + s3
}

/** A vector as stored: little-endian float32 bytes. */
export function vectorToBytes(v: Float32Array): Buffer {
  const buf = Buffer.alloc(v.length * 4)
  for (let i = 0; i < v.length; i++) buf.writeFloatLE(v[i]!, i * 4)
  return buf
}

/** A stored vector back (copied: a driver's buffer may not be 4-byte aligned). */
export function vectorFromBytes(bytes: Uint8Array): Float32Array {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const v = new Float32Array(Math.floor(buf.length / 4))
  for (let i = 0; i < v.length; i++) v[i] = buf.readFloatLE(i * 4)
  return v
}
