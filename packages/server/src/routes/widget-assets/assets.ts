import { createHash } from 'node:crypto'
import { readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { brotliCompress, gzipSync, constants as zlib } from 'node:zlib'

/** Where `npm run build` puts the widget (packages/widget/dist). */
export const WIDGET_DIST_DIR = fileURLToPath(new URL('../../../../widget/dist/', import.meta.url))

/** The loader's stable name; every other file is content-hashed. */
export const LOADER_FILE = 'aurion.js'

/** `widget-manifest.json`, written by packages/widget/build.mjs. */
export interface WidgetManifest {
  loader: string
  chat: string
  voice: string
  speech: string
  files: string[]
}

export interface WidgetAsset {
  body: Buffer
  gzip: Buffer
  /**
   * Brotli (quality 11), compressed on first use off the event loop: compressing the voice
   * chunk takes most of a second, which blocked every request of the server when it was done
   * synchronously on the first loader request (bench/widget.ts).
   */
  br(): Promise<Buffer>
  etag: string
}

const brotli = promisify(brotliCompress)

export interface WidgetBundle {
  manifest: WidgetManifest
  files: Map<string, WidgetAsset>
}

function load(dir: string): WidgetBundle {
  const manifest = JSON.parse(
    readFileSync(join(dir, 'widget-manifest.json'), 'utf8'),
  ) as WidgetManifest
  const files = new Map<string, WidgetAsset>()
  for (const name of manifest.files) {
    const body = readFileSync(join(dir, name))
    let br: Promise<Buffer> | undefined
    files.set(name, {
      body,
      gzip: gzipSync(body, { level: 9 }),
      br: () =>
        (br ??= brotli(body, {
          params: { [zlib.BROTLI_PARAM_QUALITY]: 11, [zlib.BROTLI_PARAM_SIZE_HINT]: body.length },
        })),
      etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`,
    })
  }
  return { manifest, files }
}

/**
 * The built widget, read once into memory and pre-compressed (it is small and served to every
 * visitor of every customer site). A rebuild is picked up when the manifest changes on disk:
 * checked at most once a second, on loader requests only — chunk names change with their
 * content, so a chunk never needs revalidation.
 */
export class WidgetAssets {
  private bundle: WidgetBundle | undefined
  private manifestMtime = 0
  private checkedAt = 0

  constructor(
    private readonly dir: string = WIDGET_DIST_DIR,
    /** How often a loader request may look at the disk for a new build. */
    private readonly recheckMs = 1000,
  ) {}

  /** The bundle, or `undefined` when the widget has not been built. */
  get(recheck: boolean): WidgetBundle | undefined {
    const now = Date.now()
    if (this.bundle && !(recheck && now - this.checkedAt >= this.recheckMs)) return this.bundle
    this.checkedAt = now
    let mtime: number
    try {
      mtime = statSync(join(this.dir, 'widget-manifest.json')).mtimeMs
    } catch {
      return this.bundle
    }
    if (!this.bundle || mtime !== this.manifestMtime) {
      try {
        const next = load(this.dir)
        // Loaders cached in browsers (up to LOADER_MAX_AGE) still name the previous chunks.
        for (const [name, asset] of this.bundle?.files ?? []) {
          if (name !== LOADER_FILE && !next.files.has(name)) next.files.set(name, asset)
        }
        this.bundle = next
        this.manifestMtime = mtime
      } catch {
        // A build in progress (manifest written, a file not yet): keep serving the old one.
      }
    }
    return this.bundle
  }
}
