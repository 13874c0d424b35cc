import type { AnalyticsSeriesPoint } from '@aurion/contract'
import { useEffect, useRef, useState } from 'preact/hooks'
import uPlot from 'uplot'
import 'uplot/dist/uPlot.min.css'

export interface TrendChartProps {
  series: AnalyticsSeriesPoint[]
  interval: 'day' | 'week'
  /** Accessible name of the chart. */
  label: string
}

/** The chart's colours, read from the console's CSS variables (the canvas cannot use `var()`). */
function chartColors() {
  const css = getComputedStyle(document.documentElement)
  const v = (name: string, fallback: string) => css.getPropertyValue(name).trim() || fallback
  return {
    conversations: v('--primary', '#4f46e5'),
    resolved: v('--green', '#047857'),
    handedOff: v('--amber', '#b45309'),
    fill: v('--chart-fill', 'rgba(79,70,229,0.08)'),
    axis: v('--chart-axis', '#5b6474'),
    grid: v('--chart-grid', 'rgba(100,116,139,0.15)'),
    tick: v('--chart-tick', 'rgba(100,116,139,0.25)'),
  }
}

/** Counts changes of the light/dark setting, so the chart is drawn again in the new colours. */
function useColorScheme(): number {
  const [n, setN] = useState(0)
  useEffect(() => {
    const mq = matchMedia('(prefers-color-scheme: dark)')
    const bump = () => setN((x) => x + 1)
    mq.addEventListener('change', bump)
    return () => mq.removeEventListener('change', bump)
  }, [])
  return n
}

/**
 * Conversations, resolved by the assistant and handed off over time, drawn by uPlot. This module
 * is loaded only by the Insights page (a chunk of its own, with the chart library).
 */
export function TrendChart({ series, interval, label }: TrendChartProps) {
  const box = useRef<HTMLDivElement>(null)
  const scheme = useColorScheme()
  useEffect(() => {
    const el = box.current
    if (!el) return
    const COLORS = chartColors()
    const data: uPlot.AlignedData = [
      series.map((p) => Date.parse(p.start) / 1000),
      series.map((p) => p.conversations),
      series.map((p) => p.resolved_by_ai),
      series.map((p) => p.handed_off),
    ]
    const line = (stroke: string, name: string, fill?: string): uPlot.Series => ({
      label: name,
      stroke,
      width: 2,
      ...(fill ? { fill } : {}),
      points: { show: series.length <= 31, size: 5 },
    })
    const axis: uPlot.Axis = {
      stroke: COLORS.axis,
      grid: { stroke: COLORS.grid, width: 1 },
      ticks: { stroke: COLORS.tick, width: 1 },
    }
    const opts: uPlot.Options = {
      width: el.clientWidth || 600,
      height: 260,
      series: [
        { label: interval === 'week' ? 'Week of' : 'Day' },
        line(COLORS.conversations, 'Conversations', COLORS.fill),
        line(COLORS.resolved, 'Resolved by assistant'),
        line(COLORS.handedOff, 'Handed off'),
      ],
      axes: [axis, { ...axis, size: 40, incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000] }],
      scales: { y: { range: (_u, _min, max) => [0, Math.max(4, Math.ceil(max * 1.1))] } },
      legend: { live: false },
      cursor: { drag: { x: false, y: false } },
    }
    const chart = new uPlot(opts, data, el)
    const resize = new ResizeObserver(() => chart.setSize({ width: el.clientWidth, height: 260 }))
    resize.observe(el)
    return () => {
      resize.disconnect()
      chart.destroy()
    }
    // scheme: drawn again when the light/dark setting changes.
  }, [series, interval, scheme])
  return <div ref={box} class="trend-chart" role="img" aria-label={label} />
}
