/** One figure of a bench run, with the baseline it is compared to in the same run. */
export interface BenchRow {
  section: string
  name: string
  value: number
  unit: string
  /** The same figure for the baseline measured in the same run (same unit). */
  baseline?: number | undefined
  /** What the baseline is ("raw node:http", "bare ws server", "budget", …). */
  baselineLabel?: string | undefined
  /** value ÷ baseline. */
  ratio?: number | undefined
  goal?: string | undefined
  /** Whether the goal is met; undefined when the row has no goal. */
  pass?: boolean | undefined
}

/** Rounds to `digits` decimals (figures are printed and stored rounded). */
export const round = (n: number, digits = 2) =>
  Number.isFinite(n) ? Math.round(n * 10 ** digits) / 10 ** digits : n

/** `n` to `digits` significant digits (ratios far below 1 keep their information). */
export const significant = (n: number, digits = 3) =>
  Number.isFinite(n) && n !== 0 ? Number(n.toPrecision(digits)) : n

/** A row with its ratio computed (value ÷ baseline) when there is a baseline. */
export function row(r: Omit<BenchRow, 'ratio'> & { ratioDigits?: number }): BenchRow {
  const { ratioDigits, ...rest } = r
  const ratio =
    r.baseline !== undefined && r.baseline !== 0
      ? significant(r.value / r.baseline, ratioDigits ?? 3)
      : undefined
  return {
    ...rest,
    value: round(r.value),
    baseline: r.baseline === undefined ? undefined : round(r.baseline),
    ratio,
  }
}

const fmt = (n: number | undefined, unit: string) =>
  n === undefined ? '' : `${Number.isInteger(n) ? n : n.toFixed(2)} ${unit}`.trim()

/** The rows as a plain-text table (one line per figure). */
export function formatTable(rows: BenchRow[]): string {
  const header = ['section', 'figure', 'value', 'baseline', 'ratio', 'goal', '']
  const lines = rows.map((r) => [
    r.section,
    r.name,
    fmt(r.value, r.unit),
    r.baseline === undefined ? '' : `${fmt(r.baseline, r.unit)} (${r.baselineLabel ?? 'baseline'})`,
    r.ratio === undefined ? '' : `${r.ratio}×`,
    r.goal ?? '',
    r.pass === undefined ? '' : r.pass ? 'ok' : 'MISS',
  ])
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)))
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === 2 || i === 4 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd()
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...lines.map(line)].join('\n')
}
