import { afterAll } from 'vitest'

// Setup file of every test file: the PostgreSQL schemas kept for reuse go when the file ends.
// Imported lazily: files that never opened a test database don't load the database code.
afterAll(async () => {
  const { dropSpareSchemas } = await import('./database.ts')
  await dropSpareSchemas()
})
