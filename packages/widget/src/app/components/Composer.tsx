import { useEffect, useRef, useState } from 'preact/hooks'
import { newId } from '../chat/ids.ts'
import type { Attachment } from '../chat/session.ts'
import { ACCEPT, checkFile, formatSize, MAX_FILES_PER_MESSAGE } from '../chat/uploads.ts'
import { fill } from '../i18n.ts'
import { useApp } from './context.ts'
import { IconButton } from './IconButton.tsx'
import { Icon } from './icons.tsx'

interface Pending {
  key: string
  name: string
  type: string
  size: number
  progress: number
  abort: AbortController
  uploaded?: Attachment
}

export interface ComposerProps {
  disabled?: boolean
  /** Files dropped on the panel (set by the panel, taken here). */
  dropped: File[]
  onDroppedTaken(): void
  inputRef: { current: HTMLTextAreaElement | null }
}

/** Message box with attachments: picker, drag and drop (via the panel), paste. */
export function Composer({ disabled, dropped, onDroppedTaken, inputRef }: ComposerProps) {
  const { session, voice, t, host } = useApp()
  const [text, setText] = useState('')
  const [files, setFiles] = useState<Pending[]>([])
  const [error, setError] = useState('')
  const picker = useRef<HTMLInputElement>(null)
  const filesRef = useRef(files)
  filesRef.current = files

  const add = (list: File[]) => {
    setError('')
    let room = MAX_FILES_PER_MESSAGE - filesRef.current.length
    for (const file of list) {
      const problem = checkFile(file)
      if (problem) {
        setError(fill(t[problem], { name: file.name }))
        continue
      }
      if (room-- <= 0) {
        setError(t.tooMany)
        break
      }
      const p: Pending = {
        key: newId(),
        name: file.name,
        type: file.type,
        size: file.size,
        progress: 0,
        abort: new AbortController(),
      }
      const update = (patch: Partial<Pending>) =>
        setFiles((fs) => fs.map((f) => (f.key === p.key ? { ...f, ...patch } : f)))
      setFiles((fs) => [...fs, p])
      import('../chat/upload-file.ts')
        .then(({ uploadFile }) =>
          uploadFile(session.api, file, (progress) => update({ progress }), p.abort.signal),
        )
        .then(
          (r) =>
            update({
              progress: 1,
              uploaded: {
                id: r.upload_id,
                name: r.file_name,
                type: r.content_type,
                size: r.size_bytes,
              },
            }),
          () => {
            if (p.abort.signal.aborted) return
            setFiles((fs) => fs.filter((f) => f.key !== p.key))
            setError(fill(t.uploadFailed, { name: file.name }))
          },
        )
    }
  }

  useEffect(() => {
    if (dropped.length === 0) return
    add(dropped)
    onDroppedTaken()
  }, [dropped])

  const resize = () => {
    const el = inputRef.current
    if (!el) return
    el.style.height = 'auto'
    el.style.height = `${Math.min(el.scrollHeight, 132)}px`
  }
  useEffect(resize, [text])

  const uploading = files.some((f) => !f.uploaded)
  const ready = files.filter((f) => f.uploaded).map((f) => f.uploaded!)
  const canSend = !disabled && !uploading && (text.trim() !== '' || ready.length > 0)

  const submit = async (e?: Event) => {
    e?.preventDefault()
    if (!canSend) return
    const body = text.trim() || fill(t.attached, { names: ready.map((a) => a.name).join(', ') })
    setText('')
    setFiles([])
    setError('')
    // During a LiveKit call with the agent, typed text goes to the agent in the room (lk.chat);
    // it writes both sides back into this conversation.
    if (ready.length === 0 && voice.active && (await voice.sendText(body))) {
      session.transcript({ id: newId(), role: 'visitor', text: body, final: true }, 'chat')
      return
    }
    void session.send(body, { attachments: ready })
  }

  return (
    <form class="aw-compose" onSubmit={submit}>
      {files.length > 0 && (
        <div class="aw-files">
          {files.map((f) => (
            <div class="aw-file" key={f.key}>
              <span class="aw-file-ic">
                {f.type.startsWith('image/') ? <Icon.image /> : <Icon.file />}
              </span>
              <span class="aw-file-txt">
                <b>{f.name}</b>
                <span>{f.uploaded ? formatSize(f.size) : `${Math.round(f.progress * 100)}%`}</span>
              </span>
              <button
                type="button"
                class="aw-ib"
                aria-label={fill(t.remove, { name: f.name })}
                onClick={() => {
                  f.abort.abort()
                  setFiles((fs) => fs.filter((x) => x.key !== f.key))
                }}
              >
                <Icon.close />
              </button>
              {!f.uploaded && (
                <span
                  class="aw-bar"
                  role="progressbar"
                  aria-label={f.name}
                  aria-valuemin={0}
                  aria-valuemax={100}
                  aria-valuenow={Math.round(f.progress * 100)}
                >
                  <i style={{ width: `${Math.round(f.progress * 100)}%` }} />
                </span>
              )}
            </div>
          ))}
        </div>
      )}
      {error && (
        <p class="aw-err" role="alert">
          {error}
        </p>
      )}
      <div class="aw-input">
        <textarea
          ref={inputRef}
          rows={1}
          dir="auto"
          value={text}
          disabled={disabled}
          maxLength={4000}
          placeholder={t.placeholder}
          aria-label={t.placeholder}
          onInput={(e) => {
            setText((e.target as HTMLTextAreaElement).value)
            session.typed()
          }}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) void submit(e)
          }}
          onPaste={(e) => {
            const list = [...(e.clipboardData?.files ?? [])]
            if (list.length) {
              e.preventDefault()
              add(list)
            }
          }}
        />
        <input
          ref={picker}
          type="file"
          multiple
          accept={ACCEPT}
          hidden
          tabIndex={-1}
          aria-hidden="true"
          onChange={(e) => {
            const input = e.target as HTMLInputElement
            add([...(input.files ?? [])])
            input.value = ''
          }}
        />
        <IconButton
          class="aw-ib"
          label={t.attach}
          disabled={disabled}
          onClick={() => picker.current?.click()}
        >
          <Icon.clip />
        </IconButton>
        <IconButton type="submit" class="aw-send" label={t.send} disabled={!canSend}>
          <Icon.send />
        </IconButton>
      </div>
      {host.config.show_powered_by && (
        <div class="aw-foot">
          <Icon.spark />
          {t.poweredBy}
        </div>
      )}
    </form>
  )
}
