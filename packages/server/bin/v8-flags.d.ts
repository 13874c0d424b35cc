/** See v8-flags.js. */
export const V8_FLAGS: readonly string[]
export function missingV8Flags(execArgv?: readonly string[]): string[]
