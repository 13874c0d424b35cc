import { Type } from '@sinclair/typebox'
import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase, testConfig } from '../test/helpers.ts'
import { buildApp } from './app.ts'
import type { DbHandle } from './db/connect.ts'
import {
  type ApiError,
  agentUnavailable,
  apiKeyRateLimited,
  badRequest,
  conflict,
  invalidApiKey,
  invalidField,
  missingScope,
  notAuthenticated,
  notFound,
  originNotAllowed,
  payloadTooLarge,
  rateLimited,
  unsupportedMediaType,
  validationError,
} from './errors.ts'

/** The root error handler and the 404 handler, on a real app with a few extra probe routes. */
describe('error answers', () => {
  let app: FastifyInstance
  let database: DbHandle
  let thrown: ApiError | Error
  beforeAll(async () => {
    database = await createTestDatabase('sqlite')
    app = await buildApp(testConfig(), { database })
    app.get('/test/throw', { schema: { hide: true } }, async () => {
      throw thrown
    })
    app.post(
      '/test/body',
      {
        schema: {
          hide: true,
          body: Type.Object({ n: Type.Integer({ minimum: 1 }), tags: Type.Array(Type.String()) }),
        },
      },
      async (request) => request.body,
    )
    app.get(
      '/test/query',
      {
        schema: {
          hide: true,
          querystring: Type.Object({ limit: Type.Integer({ minimum: 1, maximum: 20 }) }),
        },
      },
      async (request) => request.query,
    )
    await app.ready()
  })
  afterAll(async () => {
    await app.close()
    await database.close()
  })

  const cases: [string, () => ApiError, number, unknown, Record<string, string>][] = [
    ['badRequest', () => badRequest('Nope'), 400, { detail: 'Nope' }, {}],
    [
      'notAuthenticated',
      notAuthenticated,
      401,
      { detail: 'Not authenticated' },
      { 'www-authenticate': 'ApiKey' },
    ],
    [
      'invalidApiKey',
      invalidApiKey,
      401,
      { detail: 'Invalid or revoked API key' },
      { 'www-authenticate': 'ApiKey' },
    ],
    [
      'missingScope',
      () => missingScope('config:write'),
      403,
      { detail: 'API key missing required scope: config:write' },
      {},
    ],
    ['originNotAllowed', originNotAllowed, 403, { detail: 'Origin not allowed' }, {}],
    ['notFound', () => notFound('Tenant not found'), 404, { detail: 'Tenant not found' }, {}],
    ['conflict', () => conflict('Taken'), 409, { detail: 'Taken' }, {}],
    ['payloadTooLarge', () => payloadTooLarge(), 413, { detail: 'Payload too large' }, {}],
    [
      'unsupportedMediaType',
      () => unsupportedMediaType('Only PNG'),
      415,
      { detail: 'Only PNG' },
      {},
    ],
    [
      'validationError',
      () => validationError([{ type: 'missing', loc: ['body', 'x'], msg: 'Field required' }]),
      422,
      { detail: [{ type: 'missing', loc: ['body', 'x'], msg: 'Field required' }] },
      {},
    ],
    [
      'invalidField',
      () => invalidField(['body', 'allowed_origins', 0], 'bad origin'),
      422,
      { detail: [{ type: 'value_error', loc: ['body', 'allowed_origins', 0], msg: 'bad origin' }] },
      {},
    ],
    [
      'apiKeyRateLimited',
      () => apiKeyRateLimited(300, 42),
      429,
      { detail: 'API key rate limit exceeded', limit: 300 },
      { 'retry-after': '42', 'x-ratelimit-limit': '300', 'x-ratelimit-remaining': '0' },
    ],
    [
      'rateLimited',
      () => rateLimited(30, 7),
      429,
      { detail: 'Rate limit exceeded', limit: 30 },
      { 'retry-after': '7', 'x-ratelimit-limit': '30', 'x-ratelimit-remaining': '0' },
    ],
    [
      'agentUnavailable',
      () => agentUnavailable('Later'),
      503,
      { detail: 'Later' },
      { 'retry-after': '5' },
    ],
  ]

  it.each(cases)(
    '%s → %i with its body and headers',
    async (_name, make, status, body, headers) => {
      thrown = make()
      const res = await app.inject({ method: 'GET', url: '/test/throw' })
      expect(res.statusCode).toBe(status)
      expect(res.headers['content-type']).toMatch(/^application\/json/)
      expect(res.json()).toEqual(body)
      for (const [k, v] of Object.entries(headers)) expect(res.headers[k]).toBe(v)
    },
  )

  it('hides an unexpected error behind 500 {"detail":"Internal Server Error"}', async () => {
    thrown = new Error('connect ECONNREFUSED /var/run/secret.sock password=hunter2')
    const res = await app.inject({ method: 'GET', url: '/test/throw' })
    expect(res.statusCode).toBe(500)
    expect(res.json()).toEqual({ detail: 'Internal Server Error' })
    expect(res.body).not.toMatch(/hunter2|ECONNREFUSED|stack/)
  })

  it.each(['GET', 'POST', 'PUT', 'DELETE'] as const)(
    'an unknown route is 404 {"detail":"Not Found"} (%s)',
    async (method) => {
      const res = await app.inject({ method, url: '/api/v1/nothing-here' })
      expect(res.statusCode).toBe(404)
      expect(res.json()).toEqual({ detail: 'Not Found' })
    },
  )

  it.each([
    ['truncated JSON', '{"n": 1', 'application/json'],
    ['not JSON at all', 'hello', 'application/json'],
    ['an empty JSON body', '', 'application/json'],
    ['JSON with a charset', '{"n":', 'application/json; charset=utf-8'],
  ])('%s is 400 {"detail": "Malformed JSON body"}, never 500', async (_name, payload, type) => {
    const res = await app.inject({
      method: 'POST',
      url: '/test/body',
      headers: { 'content-type': type },
      payload,
    })
    expect(res.statusCode).toBe(400)
    expect(res.json()).toEqual({ detail: 'Malformed JSON body' })
  })

  it('an unsupported content type is 415 with a detail', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/test/body',
      headers: { 'content-type': 'application/xml' },
      payload: '<n>1</n>',
    })
    expect(res.statusCode).toBe(415)
    expect(res.json()).toEqual({ detail: 'Unsupported Content-Type' })
  })

  it('a body over 1 MB is 413 with a detail', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/test/body',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ n: 1, tags: ['x'.repeat(1024 * 1024)] }),
    })
    expect(res.statusCode).toBe(413)
    expect(res.json()).toEqual({ detail: 'Request body too large' })
  })

  it('validation errors are 422 with FastAPI-style items, every problem at once', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/test/body',
      payload: { n: '1', tags: ['a', 2] },
    })
    expect(res.statusCode).toBe(422)
    expect(res.json()).toEqual({
      detail: [
        { type: 'integer_type', loc: ['body', 'n'], msg: 'Input should be a valid integer' },
        { type: 'string_type', loc: ['body', 'tags', 1], msg: 'Input should be a valid string' },
      ],
    })
  })

  it('query strings are coerced and validated with loc ["query", …]', async () => {
    const ok = await app.inject({ method: 'GET', url: '/test/query?limit=5' })
    expect(ok.json()).toEqual({ limit: 5 })
    const bad = await app.inject({ method: 'GET', url: '/test/query?limit=50' })
    expect(bad.statusCode).toBe(422)
    expect(bad.json()).toEqual({
      detail: [
        {
          type: 'less_than_equal',
          loc: ['query', 'limit'],
          msg: 'Input should be less than or equal to 20',
        },
      ],
    })
    const missing = await app.inject({ method: 'GET', url: '/test/query' })
    expect(missing.json()).toEqual({
      detail: [{ type: 'missing', loc: ['query', 'limit'], msg: 'Field required' }],
    })
  })
})
