// Moved to the one test-support module; this path stays for existing imports.
export { freeLoopbackPort as freePort } from '../test-support/ports.ts'
export * from '../test-support/redis.ts'
