import fastJsonStringify from 'fast-json-stringify'
import type { FastifySerializerCompiler } from 'fastify/types/schema.js'

/**
 * Response serializers, compiled once per schema for the whole process.
 *
 * Fastify compiles a `fast-json-stringify` function for every response schema of every route
 * each time an app is built: about 0.4 s of CPU for this API. A server builds one app, so it
 * pays that once; a process that builds many (the test suite builds one per test, the
 * two-instance tests two side by side) paid it every time. The route schemas are module-level
 * constants and nothing here uses shared `$ref` schemas, so the function compiled for a schema
 * object is the same in every app: it is kept in a WeakMap keyed by that object.
 *
 * The options are Fastify's defaults (no `serializerOpts`, no external schemas).
 */
const compiled = new WeakMap<object, (data: unknown) => string>()

export const cachedSerializerCompiler: FastifySerializerCompiler<unknown> = ({ schema }) => {
  const key = schema as object
  let serialize = compiled.get(key)
  if (!serialize) {
    serialize = fastJsonStringify(key) as (data: unknown) => string
    compiled.set(key, serialize)
  }
  return serialize
}
