import { ARTICLE_LIMITS, type ArticleStatus, type KnowledgeArticle } from '@aurion/contract'
import { useState } from 'preact/hooks'
import { ApiRequestError } from '../api/client.ts'
import { endpoints } from '../api/endpoints.ts'
import { Field, Segmented, TextField } from '../components/Field.tsx'
import { Icon } from '../components/Icon.tsx'
import { DialogButtons, Modal } from '../components/Modal.tsx'
import { useApp } from '../lib/app-context.ts'
import { toast } from '../lib/toast.ts'
import { errorMessage } from '../lib/use-async.ts'

/** The article form: title, body, tags, and its Help Center category, address and state. */
export function ArticleEditor({
  article,
  initialTitle,
  onClose,
  onSaved,
}: {
  article: KnowledgeArticle | undefined
  /** A new article's title to start from (the console's `/knowledge?title=…` link). */
  initialTitle?: string | undefined
  onClose: () => void
  onSaved: (a: KnowledgeArticle, created: boolean) => void
}) {
  const { api } = useApp()
  const [title, setTitle] = useState(article?.title ?? initialTitle ?? '')
  const [body, setBody] = useState(article?.body ?? '')
  const [tags, setTags] = useState<string[]>(article?.tags ?? [])
  const [tagInput, setTagInput] = useState('')
  const [category, setCategory] = useState(article?.category ?? '')
  const [slug, setSlug] = useState(article?.slug ?? '')
  const [status, setStatus] = useState<ArticleStatus>(article?.status ?? 'published')
  const [errors, setErrors] = useState<Record<string, string>>({})
  const [busy, setBusy] = useState(false)

  const addTags = (raw: string) => {
    const next = [...tags]
    for (const t of raw
      .split(',')
      .map((s) => s.trim().toLowerCase())
      .filter(Boolean)) {
      if (!next.includes(t) && next.length < ARTICLE_LIMITS.tags.maxItems)
        next.push(t.slice(0, ARTICLE_LIMITS.tags.maxLength))
    }
    setTags(next)
    setTagInput('')
  }

  const submit = async (e: Event) => {
    e.preventDefault()
    const pendingTags = tagInput.trim()
      ? [
          ...tags,
          ...tagInput
            .split(',')
            .map((s) => s.trim().toLowerCase())
            .filter(Boolean),
        ]
      : tags
    const errs: Record<string, string> = {}
    if (!title.trim()) errs.title = 'Required'
    else if ([...title].length > ARTICLE_LIMITS.title.max)
      errs.title = `At most ${ARTICLE_LIMITS.title.max} characters`
    if (!body.trim()) errs.body = 'Required'
    else if ([...body].length > ARTICLE_LIMITS.body.max)
      errs.body = `At most ${ARTICLE_LIMITS.body.max} characters`
    setErrors(errs)
    if (Object.keys(errs).length > 0) return
    setBusy(true)
    try {
      const input = {
        title: title.trim(),
        body,
        tags: [...new Set(pendingTags)],
        category: category.trim() || null,
        status,
        ...(slug.trim() ? { slug: slug.trim() } : {}),
      }
      const saved = article
        ? await api.send<KnowledgeArticle>(endpoints.updateArticle(article.id, input))
        : await api.send<KnowledgeArticle>(endpoints.createArticle(input))
      onSaved(saved, !article)
    } catch (err) {
      if (err instanceof ApiRequestError && err.status === 409) setErrors({ slug: err.detail })
      if (err instanceof ApiRequestError && err.status === 422) {
        const m: Record<string, string> = {}
        for (const i of err.issues) m[String(i.loc[1] ?? '')] ??= i.msg
        setErrors(m)
      }
      toast.error(`Not saved: ${errorMessage(err)}`)
    } finally {
      setBusy(false)
    }
  }

  return (
    <Modal open title={article ? 'Edit article' : 'New article'} onClose={onClose} size="lg">
      <form class="stack" onSubmit={submit} noValidate>
        <TextField
          label="Title"
          name="title"
          value={title}
          max={ARTICLE_LIMITS.title.max}
          error={errors.title}
          placeholder="Reset your password"
          hint="Visitors see it as the source of an answer."
          onInput={setTitle}
        />
        <TextField
          label="Body"
          name="body"
          multiline
          rows={12}
          value={body}
          max={ARTICLE_LIMITS.body.max}
          error={errors.body}
          placeholder={
            '## Reset from the sign-in page\n1. Open the sign-in page and choose “Forgot password”.\n2. Enter your work email.\n3. Follow the link in the email within 30 minutes.'
          }
          hint="Plain text. Lines starting with “## ” start a section (the assistant answers with the best section); numbered and “-” lines are steps."
          onInput={setBody}
        />
        <Field
          label="Tags"
          optional
          hint="Words visitors may use that are not in the text, e.g. wifi for “wireless network”. Enter or comma adds one."
          error={errors.tags}
        >
          {({ id, describedBy }) => (
            <div class="tag-input">
              {tags.map((t) => (
                <span class="chip chip-removable" key={t}>
                  {t}
                  <button
                    type="button"
                    aria-label={`Remove tag ${t}`}
                    onClick={() => setTags(tags.filter((x) => x !== t))}
                  >
                    <Icon name="x" size={12} />
                  </button>
                </span>
              ))}
              <input
                id={id}
                aria-describedby={describedBy}
                class="tag-field"
                value={tagInput}
                placeholder={tags.length === 0 ? 'password, login, sso' : ''}
                onInput={(e) => {
                  const v = e.currentTarget.value
                  if (v.includes(',')) addTags(v)
                  else setTagInput(v)
                }}
                onKeyDown={(e) => {
                  if (e.key === 'Enter') {
                    e.preventDefault()
                    addTags(tagInput)
                  } else if (e.key === 'Backspace' && tagInput === '' && tags.length > 0) {
                    setTags(tags.slice(0, -1))
                  }
                }}
              />
            </div>
          )}
        </Field>
        <TextField
          label="Category"
          name="category"
          optional
          value={category}
          max={ARTICLE_LIMITS.category.max}
          error={errors.category}
          placeholder="Accounts & sign-in"
          hint="Groups articles on the Help Center’s home page."
          onInput={setCategory}
        />
        <TextField
          label="Address (slug)"
          name="slug"
          optional
          value={slug}
          max={ARTICLE_LIMITS.slug.max}
          error={errors.slug}
          placeholder="made from the title"
          hint="The article’s Help Center address: lowercase letters, digits and hyphens."
          onInput={setSlug}
        />
        <Segmented
          label="State"
          value={status}
          options={[
            { value: 'published', label: 'Published' },
            { value: 'draft', label: 'Draft' },
          ]}
          hint="Drafts are not in the Help Center and the assistant does not answer from them."
          onChange={setStatus}
        />
        <DialogButtons
          busy={busy}
          label={status === 'draft' ? 'Save draft' : article ? 'Save article' : 'Publish article'}
          onCancel={onClose}
        />
      </form>
    </Modal>
  )
}
