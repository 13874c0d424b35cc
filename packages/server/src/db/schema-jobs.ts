// Background work tables of the `Database` schema (schema.ts): the durable job queue and the
// knowledge sources it crawls.

/** Durable background work (see `jobs/`). */
export interface JobsTable {
  id: string
  tenant_id: string
  kind: string
  /** What the job works on (e.g. a knowledge source id): one running and one queued per ref. */
  ref_id: string
  /** JSON object. */
  payload: string
  status: 'queued' | 'running' | 'done' | 'failed'
  attempts: number
  lease_token: string | null
  lease_expires_at: string | null
  run_after: string
  last_error: string | null
  created_at: string
  updated_at: string
  finished_at: string | null
}

export interface KnowledgeSourcesTable {
  id: string
  tenant_id: string
  type: 'website' | 'sitemap'
  url: string
  max_pages: number
  resync_hours: number | null
  status: 'queued' | 'running' | 'done' | 'failed'
  pages_found: number
  pages_imported: number
  pages_unchanged: number
  /** JSON array of `{url, error}`. */
  errors: string
  last_synced_at: string | null
  next_sync_at: string | null
  created_at: string
  updated_at: string
}

export interface KnowledgeSourcePagesTable {
  source_id: string
  url: string
  article_id: string | null
  etag: string | null
  last_modified: string | null
  content_hash: string | null
  updated_at: string
}

/** The embedding of one passage of a published article (hybrid search). */
export interface KnowledgePassageVectorsTable {
  tenant_id: string
  article_id: string
  /** The passage's index in `splitPassages(body)`. */
  passage_index: number
  model: string
  /** SHA-256 (hex) of the model and the text embedded. */
  text_hash: string
  dims: number
  /** `dims` little-endian float32 values, unit length. */
  vector: Buffer
  updated_at: string
}

/** How far a tenant's passage embeddings are (one row per tenant). */
export interface KnowledgeEmbeddingStateTable {
  tenant_id: string
  /** The model the stored vectors come from. */
  model: string
  /** The knowledge revision they are up to date with. */
  revision: number
  /** Bumped whenever the tenant's vectors change. */
  version: number
  /** Failed attempts in a row (the next waits longer). */
  failures: number
  retry_after: string | null
  last_error: string | null
  updated_at: string
}
