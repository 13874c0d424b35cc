import { Ajv, type ErrorObject } from 'ajv'
import formatsModule from 'ajv-formats'
import type { FastifySchemaCompiler } from 'fastify'
import type { ValidationIssue } from './errors.ts'

/**
 * Bodies are validated strictly (a string is never coerced into a boolean: wrong types are 422);
 * query strings, params and headers arrive as text and are coerced.
 *
 * The two Ajv instances are shared by every app in the process: Ajv keeps what it compiled per
 * schema object, so a process that builds many apps (the tests; two instances side by side)
 * compiles each route schema once instead of once per app. Their options never vary.
 */
let shared: { strict: Ajv; coercing: Ajv } | undefined

function sharedAjv(): { strict: Ajv; coercing: Ajv } {
  if (shared) return shared
  const opts = {
    allErrors: true,
    useDefaults: true,
    removeAdditional: true,
    strict: false,
  } as const
  // ajv-formats is CommonJS: under ESM its plugin is the `default` property of module.exports.
  const addFormats = formatsModule.default
  shared = {
    strict: addFormats(new Ajv({ ...opts, coerceTypes: false })),
    coercing: addFormats(new Ajv({ ...opts, coerceTypes: 'array' })),
  }
  return shared
}

export function createValidatorCompiler(): FastifySchemaCompiler<unknown> {
  const { strict, coercing } = sharedAjv()
  return ({ schema, httpPart }) => {
    const ajv = httpPart === 'body' ? strict : coercing
    return ajv.compile(schema as object) as ReturnType<FastifySchemaCompiler<unknown>>
  }
}

const PART_LOC: Record<string, string> = {
  body: 'body',
  querystring: 'query',
  params: 'path',
  headers: 'header',
}

/** Ajv errors → FastAPI-style `{type, loc, msg}` items, `loc` like `["body","display_title"]`. */
export function toValidationIssues(
  errors: Partial<ErrorObject>[],
  context: string | undefined,
): ValidationIssue[] {
  const part = PART_LOC[context ?? 'body'] ?? context ?? 'body'
  const issues: ValidationIssue[] = []
  const seen = new Set<string>()
  const push = (issue: ValidationIssue) => {
    const key = `${issue.loc.join('.')}|${issue.type}`
    if (seen.has(key)) return
    seen.add(key)
    issues.push(issue)
  }
  for (const e of collapseAnyOf(errors)) push(toIssue(e, part))
  return issues
}

/**
 * A failed `anyOf` reports every branch; say it the way a person would instead: literal unions
 * (`'a' | 'b'`) become one "Input should be 'a' or 'b'", and the `null` branch of a nullable
 * field is dropped when the other branch explains the problem.
 */
function collapseAnyOf(errors: Partial<ErrorObject>[]): Partial<ErrorObject>[] {
  const anyOfs = errors.filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf')
  if (anyOfs.length === 0) return errors
  const consumed = new Set<Partial<ErrorObject>>()
  const out: Partial<ErrorObject>[] = []
  const replacements = new Map<Partial<ErrorObject>, Partial<ErrorObject>[]>()
  for (const a of anyOfs) {
    const prefix = `${a.schemaPath ?? ''}/`
    const branch = errors.filter(
      (e) => e !== a && !consumed.has(e) && (e.schemaPath ?? '').startsWith(prefix),
    )
    for (const e of branch) consumed.add(e)
    if (branch.length === 0) {
      replacements.set(a, [a])
      continue
    }
    const here = branch.filter((e) => e.instancePath === a.instancePath)
    if (here.length === branch.length && here.every((e) => e.keyword === 'const')) {
      const allowed = here.map((e) => (e.params as { allowedValue?: unknown }).allowedValue)
      replacements.set(a, [
        { ...a, keyword: 'enum', params: { allowedValues: allowed }, schemaPath: a.schemaPath },
      ])
      continue
    }
    const nullType = (e: Partial<ErrorObject>) =>
      e.keyword === 'type' && (e.params as { type?: string }).type === 'null'
    const meaningful = branch.filter((e) => !nullType(e))
    replacements.set(a, meaningful.length > 0 ? meaningful : branch)
  }
  for (const e of errors) {
    if (consumed.has(e)) continue
    const r = replacements.get(e)
    if (r) out.push(...r)
    else out.push(e)
  }
  return out
}

function quoteList(values: unknown[]): string {
  const q = values.map((v) => `'${String(v)}'`)
  return q.length <= 1 ? (q[0] ?? '') : `${q.slice(0, -1).join(', ')} or ${q.at(-1)}`
}

type Params = Record<string, unknown>
const limit = (p: Params) => String(p.limit)
const plural = (p: Params) => (p.limit === 1 ? '' : 's')
const greaterThanEqual = (p: Params) => ({
  type: 'greater_than_equal',
  msg: `Input should be greater than or equal to ${limit(p)}`,
})
const lessThanEqual = (p: Params) => ({
  type: 'less_than_equal',
  msg: `Input should be less than or equal to ${limit(p)}`,
})

/** The issue `type` and `msg` of each Ajv keyword (pydantic's wording), from its params. */
const ISSUES = new Map<string, (p: Params) => { type: string; msg: string }>(
  Object.entries({
    required: () => ({ type: 'missing', msg: 'Field required' }),
    type: (p: Params) => ({
      type: `${String(p.type).split(',')[0]}_type`,
      msg: `Input should be a valid ${String(p.type).replace(',', ' or ')}`,
    }),
    minLength: (p: Params) => ({
      type: 'string_too_short',
      msg: `String should have at least ${limit(p)} character${plural(p)}`,
    }),
    maxLength: (p: Params) => ({
      type: 'string_too_long',
      msg: `String should have at most ${limit(p)} characters`,
    }),
    maxItems: (p: Params) => ({
      type: 'too_long',
      msg: `List should have at most ${limit(p)} items`,
    }),
    minItems: (p: Params) => ({
      type: 'too_short',
      msg: `List should have at least ${limit(p)} item${plural(p)}`,
    }),
    enum: (p: Params) => ({
      type: 'literal_error',
      msg: `Input should be ${quoteList((p.allowedValues as unknown[]) ?? [])}`,
    }),
    const: (p: Params) => ({
      type: 'literal_error',
      msg: `Input should be '${String(p.allowedValue)}'`,
    }),
    minimum: greaterThanEqual,
    exclusiveMinimum: greaterThanEqual,
    maximum: lessThanEqual,
    exclusiveMaximum: lessThanEqual,
    pattern: (p: Params) => ({
      type: 'string_pattern_mismatch',
      msg: `String should match pattern '${String(p.pattern)}'`,
    }),
    format: (p: Params) => ({
      type: 'value_error',
      msg: `Input should be a valid ${String(p.format)}`,
    }),
    maxProperties: (p: Params) => ({
      type: 'too_long',
      msg: `Object should have at most ${limit(p)} entries`,
    }),
    propertyNames: () => ({ type: 'value_error', msg: 'Invalid key' }),
    additionalProperties: () => ({
      type: 'extra_forbidden',
      msg: 'Extra inputs are not permitted',
    }),
  }),
)

/** Keywords whose issue names the property at fault: the param that holds its name. */
const PROPERTY_PARAM = new Map([
  ['required', 'missingProperty'],
  ['additionalProperties', 'additionalProperty'],
])

function toIssue(e: Partial<ErrorObject>, part: string): ValidationIssue {
  const path = (e.instancePath ?? '')
    .split('/')
    .slice(1)
    .map((seg) => seg.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((seg) => (/^\d+$/.test(seg) ? Number(seg) : seg))
  const params = (e.params ?? {}) as Params
  const loc: (string | number)[] = [part, ...path]
  const property = PROPERTY_PARAM.get(e.keyword ?? '')
  if (property !== undefined) loc.push(String(params[property]))
  const issue = ISSUES.get(e.keyword ?? '')?.(params) ?? {
    type: 'value_error',
    msg: e.message ?? 'Invalid value',
  }
  return { type: issue.type, loc, msg: issue.msg }
}

/** A `\u` escape of a UTF-16 surrogate: only JSON text with one can decode to a lone surrogate. */
export const SURROGATE_ESCAPE = /\\u[dD][89a-fA-F]/

const LONE_SURROGATE = /\p{Cs}/u

/**
 * Where `value` (parsed from JSON `text`) holds a string with a lone UTF-16 surrogate (from an
 * escape such as `"\ud800"`), as a `loc` path; undefined when it holds none. Such strings cannot
 * be stored as UTF-8: they would silently turn into U+FFFD, so they are refused instead. Costs a
 * regular-expression test unless the text has a surrogate escape at all; the walk is iterative
 * (JSON nested 100,000 deep is fine).
 */
export function loneSurrogatePath(value: unknown, text: string): (string | number)[] | undefined {
  if (!SURROGATE_ESCAPE.test(text)) return undefined
  interface Step {
    v: unknown
    key: string | number | undefined
    parent: Step | undefined
  }
  const pathOf = (step: Step) => {
    const path: (string | number)[] = []
    for (let s: Step | undefined = step; s?.key !== undefined; s = s.parent) path.push(s.key)
    return path.reverse()
  }
  const stack: Step[] = [{ v: value, key: undefined, parent: undefined }]
  while (stack.length > 0) {
    const step = stack.pop()!
    const v = step.v
    if (typeof v === 'string') {
      if (LONE_SURROGATE.test(v)) return pathOf(step)
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push({ v: v[i], key: i, parent: step })
    } else if (typeof v === 'object' && v !== null) {
      for (const [k, item] of Object.entries(v)) {
        if (LONE_SURROGATE.test(k)) return pathOf({ v: k, key: k, parent: step })
        stack.push({ v: item, key: k, parent: step })
      }
    }
  }
  return undefined
}

/** The 422 issue for {@link loneSurrogatePath}. */
export const LONE_SURROGATE_MSG =
  'Invalid JSON: a \\u escape encodes a lone UTF-16 surrogate, which is not valid Unicode text'
