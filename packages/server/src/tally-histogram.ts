import { Histogram, type LabelValues } from 'prom-client'

/** One label set's tally: plain numbers, added to with no look-up. */
export class HistogramSeries {
  /** Observations per bucket, not cumulative; the last slot is above every bound. */
  readonly counts: Float64Array
  sum = 0
  count = 0
  readonly #bounds: readonly number[]

  constructor(
    readonly labels: Record<string, string | number>,
    bounds: readonly number[],
  ) {
    this.#bounds = bounds
    this.counts = new Float64Array(bounds.length + 1)
  }

  observe(value: number): void {
    if (!Number.isFinite(value)) return
    const bounds = this.#bounds
    let i = 0
    // `le`: a value on a bound is counted in that bound's bucket.
    while (i < bounds.length && value > (bounds[i] as number)) i++
    this.counts[i] = (this.counts[i] as number) + 1
    this.sum += value
    this.count++
  }

  clear(): void {
    this.counts.fill(0)
    this.sum = 0
    this.count = 0
  }
}

interface Value {
  labels: Record<string, string | number>
  value: number
  metricName: string
  /** prom-client's buckets carry one (none here: no exemplars are kept). */
  exemplar?: null
}
type Exported<T extends string> = Awaited<ReturnType<Histogram<T>['get']>>

/**
 * A prom-client histogram for series observed on every request. prom-client's
 * `observe(labels, v)` makes a closure, validates the labels and hashes them into a string at
 * every call (about 2 µs: the embed config answer costs about 30 µs in all). Here the caller
 * keeps its {@link HistogramSeries} (one per label set, from {@link series}), so an observation
 * is a few additions. The tallies become prom-client's values only when the registry reads the
 * metric. The exposition is the same as prom-client's own histogram: names, `le` labels,
 * cumulative buckets, `_sum` and `_count` (tally-histogram.test.ts compares the two texts).
 */
export class TallyHistogram<T extends string> extends Histogram<T> {
  readonly #bounds: number[]
  // Not `#private`: prom-client's constructor calls reset() before this class's fields exist.
  private readonly tallies = new Map<string, HistogramSeries>()
  readonly #name: string
  readonly #help: string

  constructor(config: {
    name: string
    help: string
    labelNames: readonly T[]
    buckets: number[]
    registers: ConstructorParameters<typeof Histogram<T>>[0]['registers']
  }) {
    super(config)
    // prom-client's own `observe` (set on the instance by its constructor; `startTimer` calls it)
    // would record into storage this class never exports: refused, so nothing is silently lost.
    this.observe = () => {
      throw new Error('TallyHistogram: observe through series(key, labels).observe(value)')
    }
    this.#name = config.name
    this.#help = config.help
    this.#bounds = [...config.buckets].sort((a, b) => a - b)
  }

  /** The tally for `labels`, made on first use; `key` must name that label set alone. */
  series(key: string, labels: LabelValues<T>): HistogramSeries {
    let s = this.tallies.get(key)
    if (s === undefined) {
      s = new HistogramSeries({ ...labels } as Record<string, string | number>, this.#bounds)
      this.tallies.set(key, s)
    }
    return s
  }

  /** The tally kept under `key`, if any (the look-up of a hot path, before {@link series}). */
  seriesAt(key: string): HistogramSeries | undefined {
    return this.tallies.get(key)
  }

  /** Every tally made so far, observed or not. */
  allSeries(): IterableIterator<HistogramSeries> {
    return this.tallies.values()
  }

  override async get(): Promise<Exported<T>> {
    return this.#export()
  }

  /** What the registry reads for the text exposition (prom-client's own name for it). */
  async getForPromString(): Promise<Exported<T>> {
    return this.#export()
  }

  /** Every series back to nothing observed (callers keep theirs: they are zeroed in place). */
  override reset(): void {
    for (const s of this.tallies?.values() ?? []) s.clear()
    super.reset()
  }

  #export(): Exported<T> {
    const values: Value[] = []
    const name = this.#name
    const bucket = `${name}_bucket`
    for (const s of this.tallies.values()) {
      // As in prom-client: a label set appears once something is observed for it.
      if (s.count === 0) continue
      let acc = 0
      for (const [i, le] of this.#bounds.entries()) {
        acc += s.counts[i] as number
        values.push({ labels: { le, ...s.labels }, value: acc, metricName: bucket, exemplar: null })
      }
      values.push({
        labels: { le: '+Inf', ...s.labels },
        value: s.count,
        metricName: bucket,
        exemplar: null,
      })
      values.push({ labels: { ...s.labels }, value: s.sum, metricName: `${name}_sum` })
      values.push({ labels: { ...s.labels }, value: s.count, metricName: `${name}_count` })
    }
    return {
      name,
      help: this.#help,
      type: 'histogram',
      values,
      aggregator: 'sum',
    } as unknown as Exported<T>
  }
}
