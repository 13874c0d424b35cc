/**
 * The shared types of the bad-input run: the JSON Schema and operation model of the OpenAPI
 * document, generated HTTP cases, findings, and the two tenants' world.
 */
import type { BenchTenant } from '../lib/seed.ts'

// biome-ignore lint/suspicious/noExplicitAny: JSON Schema documents are untyped here
export type Schema = Record<string, any>

/** One documented operation. */
export interface Operation {
  method: string
  /** OpenAPI path with `{param}` placeholders. */
  path: string
  pathParams: string[]
  query: { name: string; schema: Schema; required: boolean }[]
  body: Schema | undefined
  multipart: boolean
  auth: 'admin' | 'public' | 'none'
}

/** One HTTP request the generator made. */
export interface HttpCase {
  op: string
  method: string
  path: string
  headers: Record<string, string>
  body?: string | Buffer | undefined
  /** Sent with the victim's credentials: must be refused (4xx) and must change nothing. */
  victim: boolean
  what: string
}

export interface Finding {
  op: string
  what: string
  status: number | string
  request: string
  response: string
}

export interface World {
  fuzz: BenchTenant & {
    session: string
    articleId: string
    conversationId: string
    uploadId: string
    email: string
    emailToken: string
  }
  victim: BenchTenant & {
    articleId: string
    conversationId: string
    uploadId: string
    email: string
  }
}
