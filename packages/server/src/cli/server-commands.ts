import type { Command } from 'commander'
import { migrateToLatest } from '../db/migrate.ts'
import type { CliContext } from './context.ts'

/** `aurion serve` and `aurion migrate`. */
export function serverCommands(program: Command, ctx: CliContext): void {
  program
    .command('serve')
    .description(
      'Run the server (applies pending migrations first); stops gracefully on SIGTERM/SIGINT',
    )
    .option(
      '--demo',
      'on an empty database, create a demo tenant and print its credentials (same as AURION_DEMO=true)',
    )
    .action(async (opts: { demo?: boolean }) => {
      const config = ctx.config()
      // Loaded here so that the other commands start without the whole HTTP application.
      const { runServer } = await import('../main.ts')
      ctx.setExitCode(
        await runServer(config, {
          demo: opts.demo === true || config.demo,
          print: (text) => ctx.io.stdout.write(text),
        }),
      )
    })

  program
    .command('migrate')
    .description('Apply pending database migrations and exit')
    .action(async () => {
      const applied = await ctx.withDatabase((database) => migrateToLatest(database), {
        migrate: false,
      })
      ctx.print(
        applied.length === 0
          ? 'Database is up to date.'
          : `Applied ${applied.length} migration(s): ${applied.join(', ')}`,
      )
    })
}
