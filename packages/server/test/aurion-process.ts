// Moved to the one test-support module; this path stays for existing imports.
export * from '../test-support/process.ts'
