import { Ajv, type ErrorObject } from 'ajv'
import formatsModule from 'ajv-formats'
import type { FastifySchemaCompiler } from 'fastify'
import type { ValidationIssue } from './errors.ts'

/**
 * Bodies are validated strictly (a string is never coerced into a boolean: wrong types are 422);
 * query strings, params and headers arrive as text and are coerced.
 */
export function createValidatorCompiler(): FastifySchemaCompiler<unknown> {
  const opts = {
    allErrors: true,
    useDefaults: true,
    removeAdditional: true,
    strict: false,
  } as const
  // ajv-formats is CommonJS: under ESM its plugin is the `default` property of module.exports.
  const addFormats = formatsModule.default
  const strict = addFormats(new Ajv({ ...opts, coerceTypes: false }))
  const coercing = addFormats(new Ajv({ ...opts, coerceTypes: 'array' }))
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
  for (const e of errors) {
    const path = (e.instancePath ?? '')
      .split('/')
      .slice(1)
      .map((seg) => seg.replace(/~1/g, '/').replace(/~0/g, '~'))
      .map((seg) => (/^\d+$/.test(seg) ? Number(seg) : seg))
    const params = (e.params ?? {}) as Record<string, unknown>
    let loc: (string | number)[] = [part, ...path]
    let type = 'value_error'
    let msg = e.message ?? 'Invalid value'
    switch (e.keyword) {
      case 'required':
        loc = [...loc, String(params.missingProperty)]
        type = 'missing'
        msg = 'Field required'
        break
      case 'type':
        type = `${String(params.type).split(',')[0]}_type`
        msg = `Input should be a valid ${String(params.type).replace(',', ' or ')}`
        break
      case 'minLength':
        type = 'string_too_short'
        msg = `String should have at least ${String(params.limit)} character${params.limit === 1 ? '' : 's'}`
        break
      case 'maxLength':
        type = 'string_too_long'
        msg = `String should have at most ${String(params.limit)} characters`
        break
      case 'maxItems':
        type = 'too_long'
        msg = `List should have at most ${String(params.limit)} items`
        break
      case 'minItems':
        type = 'too_short'
        msg = `List should have at least ${String(params.limit)} items`
        break
      case 'enum':
        type = 'enum'
        msg = `Input should be ${((params.allowedValues as unknown[]) ?? []).map((v) => `'${String(v)}'`).join(', ')}`
        break
      case 'const':
        type = 'literal_error'
        msg = `Input should be '${String(params.allowedValue)}'`
        break
      case 'anyOf':
      case 'oneOf':
        // The branch errors already say what is wrong; this summary adds nothing.
        if (errors.length > 1) continue
        break
      case 'minimum':
      case 'exclusiveMinimum':
        type = 'greater_than_equal'
        msg = `Input should be greater than or equal to ${String(params.limit)}`
        break
      case 'maximum':
      case 'exclusiveMaximum':
        type = 'less_than_equal'
        msg = `Input should be less than or equal to ${String(params.limit)}`
        break
      case 'pattern':
        type = 'string_pattern_mismatch'
        msg = `String should match pattern '${String(params.pattern)}'`
        break
      case 'format':
        type = 'value_error'
        msg = `Input should be a valid ${String(params.format)}`
        break
      case 'maxProperties':
        type = 'too_long'
        msg = `Object should have at most ${String(params.limit)} entries`
        break
      case 'propertyNames':
        type = 'value_error'
        msg = 'Invalid key'
        break
      case 'additionalProperties':
        loc = [...loc, String(params.additionalProperty)]
        type = 'extra_forbidden'
        msg = 'Extra inputs are not permitted'
        break
    }
    const key = `${loc.join('.')}|${type}`
    if (seen.has(key)) continue
    seen.add(key)
    issues.push({ type, loc, msg })
  }
  return issues
}
