// The webhook send thread's entry (see createThreadSender in sender.ts). Plain JavaScript: a
// worker does not inherit the TypeScript loader that the main thread registered with tsx's API
// (it does when the process was started with `--import tsx`), so it registers one when the
// TypeScript module cannot be loaded as it is.
let loop
try {
  loop = await import('./send-thread-loop.ts')
} catch (err) {
  if (err?.code !== 'ERR_UNKNOWN_FILE_EXTENSION') throw err
  const { register } = await import('tsx/esm/api')
  register()
  // A new URL: the failed attempt above stays in the module cache under the plain one.
  loop = await import('./send-thread-loop.ts?tsx')
}
loop.serve()
