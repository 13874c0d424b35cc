import { Command, CommanderError } from 'commander'
import { apiKeyCommands } from './cli/api-key.ts'
import {
  CliError,
  type CliIo,
  type CommandGroup,
  createCliContext,
  EXIT_FAILED,
  EXIT_OK,
  EXIT_USAGE,
} from './cli/context.ts'
import { serverCommands } from './cli/server-commands.ts'
import { tenantCommands } from './cli/tenant.ts'
import { runUserCli } from './cli/user.ts'
import { ConfigError } from './config.ts'

export type { CliIo } from './cli/context.ts'

/** `aurion user …` parses its own arguments (password prompts, --password-stdin). */
const userCommands: CommandGroup = (program, ctx) => {
  program
    .command('user')
    .description('Admin console users: create, list, set-password (see "aurion user --help")')
    .helpOption(false)
    .allowUnknownOption()
    .allowExcessArguments()
    .argument('[args...]')
    .action(async (args: string[]) => {
      ctx.setExitCode(await runUserCli(args, { ...ctx.io, config: ctx.config() }))
    })
}

/**
 * Command groups of `aurion`, in help order. To add one, write `src/cli/<group>.ts` exporting a
 * {@link CommandGroup} and list it here.
 */
const GROUPS: CommandGroup[] = [serverCommands, tenantCommands, apiKeyCommands, userCommands]

/**
 * Entry point of the `aurion` command. Returns the exit code: 0 done, 1 failed, 2 invalid usage
 * or configuration. `serve` returns only once the server has shut down.
 */
export async function runCli(argv: string[], io: CliIo = processIo()): Promise<number> {
  let exitCode = EXIT_OK
  const ctx = createCliContext(io, (code) => {
    exitCode = code
  })
  const program = new Command('aurion')
    .description(
      'Aurion Widget: self-hostable AI support assistant (chat and voice) for any website',
    )
    .exitOverride()
    .showHelpAfterError('(run "aurion --help" for usage)')
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
    })
    .addHelpText(
      'after',
      '\nEnvironment: the same variables as the server (AURION_DATA_DIR, DATABASE_URL, …; see docs/configuration.md).\nExit codes: 0 done, 1 failed, 2 invalid usage or configuration.',
    )
  for (const group of GROUPS) group(program, ctx)
  // Subcommands inherit exit/output behaviour only when set before they are created.
  for (const cmd of allCommands(program)) {
    cmd.exitOverride().configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
    })
    if (cmd !== program) cmd.showHelpAfterError(`(run "aurion ${path(cmd)} --help" for usage)`)
  }

  if (argv.length === 0) {
    io.stderr.write(program.helpInformation())
    return EXIT_USAGE
  }
  try {
    await program.parseAsync(argv, { from: 'user' })
    return exitCode
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version are not failures; everything else commander refuses is usage.
      if (err.exitCode === 0 || err.code === 'commander.helpDisplayed') return EXIT_OK
      if (err.code === 'commander.help') return EXIT_USAGE
      return EXIT_USAGE
    }
    if (err instanceof ConfigError) {
      io.stderr.write(`${err.message}\n`)
      return EXIT_USAGE
    }
    if (err instanceof CliError) {
      io.stderr.write(`error: ${err.message}\n`)
      return err.exitCode
    }
    io.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`)
    return EXIT_FAILED
  }
}

function processIo(): CliIo {
  return { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env }
}

function allCommands(cmd: Command): Command[] {
  return [cmd, ...cmd.commands.flatMap(allCommands)]
}

function path(cmd: Command): string {
  const names: string[] = []
  for (let c: Command | null = cmd; c?.parent; c = c.parent) names.unshift(c.name())
  return names.join(' ')
}
