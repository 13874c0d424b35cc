import { checkLogoDataUrl, MAX_LOGO_BYTES } from '@aurion/contract'
import { useId, useRef, useState } from 'preact/hooks'
import { Icon } from '../components/Icon.tsx'
import { formatBytes } from '../lib/format.ts'

export interface LogoFieldProps {
  value: string | null
  onChange: (dataUrl: string | null) => void
  error?: string | undefined
}

const ACCEPT = 'image/png,image/jpeg,image/svg+xml'

function readAsDataUrl(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const r = new FileReader()
    r.onload = () => resolve(String(r.result))
    r.onerror = () => reject(r.error ?? new Error('could not read the file'))
    r.readAsDataURL(file)
  })
}

/**
 * The logo, uploaded from a file and stored as a base64 data URL (the config holds it; nothing
 * is hosted elsewhere). The file is checked with the server's rules before it is accepted.
 */
export function LogoField({ value, onChange, error }: LogoFieldProps) {
  const id = useId()
  const input = useRef<HTMLInputElement>(null)
  const [localError, setLocalError] = useState<string | undefined>(undefined)
  const [dragging, setDragging] = useState(false)

  const take = async (file: File | undefined) => {
    if (!file) return
    setLocalError(undefined)
    if (!ACCEPT.split(',').includes(file.type)) {
      setLocalError(`${file.name} is not a PNG, JPEG or SVG image`)
      return
    }
    if (file.size > MAX_LOGO_BYTES) {
      setLocalError(
        `${file.name} is ${formatBytes(file.size)}; the logo must be at most ${formatBytes(MAX_LOGO_BYTES)}`,
      )
      return
    }
    let url: string
    try {
      url = await readAsDataUrl(file)
    } catch {
      setLocalError(`${file.name} could not be read`)
      return
    }
    const problem = checkLogoDataUrl(url)
    if (problem) {
      setLocalError(problem.replace(/^logo_url /, 'The image '))
      return
    }
    onChange(url)
  }

  const shown = localError ?? error
  return (
    <div class="field">
      <span class="field-label" id={`${id}-l`}>
        Logo
        <span class="field-optional">Optional</span>
      </span>
      {/* biome-ignore lint/a11y/noStaticElementInteractions: a drop target for the mouse; the Upload button is the keyboard path */}
      <div
        class={dragging ? 'logo-drop dragging' : 'logo-drop'}
        onDragOver={(e) => {
          e.preventDefault()
          setDragging(true)
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={(e) => {
          e.preventDefault()
          setDragging(false)
          void take(e.dataTransfer?.files[0])
        }}
      >
        <div class="logo-thumb">
          {value ? <img src={value} alt="Current logo" /> : <Icon name="upload" size={20} />}
        </div>
        <div class="logo-text">
          <p>
            {value
              ? 'Shown in the panel header and beside the bubble message.'
              : 'Drop an image here or choose a file.'}
          </p>
          <p class="field-hint" id={`${id}-h`}>
            PNG, JPEG or SVG, at most {formatBytes(MAX_LOGO_BYTES)}. Square images look best.
          </p>
        </div>
        <div class="logo-actions">
          <input
            ref={input}
            id={`${id}-file`}
            type="file"
            accept={ACCEPT}
            class="sr-only"
            aria-labelledby={`${id}-l ${id}-btn`}
            aria-describedby={`${id}-h`}
            onChange={(e) => {
              void take(e.currentTarget.files?.[0])
              e.currentTarget.value = ''
            }}
          />
          <button
            id={`${id}-btn`}
            type="button"
            class="btn btn-secondary btn-sm"
            onClick={() => input.current?.click()}
          >
            {value ? 'Replace' : 'Upload'}
          </button>
          {value && (
            <button
              type="button"
              class="btn btn-ghost btn-sm danger-text"
              onClick={() => {
                setLocalError(undefined)
                onChange(null)
              }}
            >
              Remove
            </button>
          )}
        </div>
      </div>
      {shown && (
        <p class="field-error" role="alert">
          <Icon name="alert" size={14} />
          <span>{shown}</span>
        </p>
      )}
    </div>
  )
}
