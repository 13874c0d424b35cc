import { ConfigError, loadConfig } from './config.ts'
import { startServer } from './main.ts'

/** Entry point of the `aurion` command; returns the exit code. */
export async function runCli(argv: string[]): Promise<number> {
  const [command] = argv
  try {
    if (command === 'serve' || command === undefined) {
      await startServer(loadConfig(process.env))
      return 0
    }
    process.stderr.write(`unknown command: ${command}\n`)
    return 2
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`)
      return 2
    }
    throw err
  }
}
