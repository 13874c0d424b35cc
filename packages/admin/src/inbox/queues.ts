import type { ConversationFilters } from '../api/endpoints.ts'

export type QueueId = 'unassigned' | 'mine' | 'all'

export interface Queue {
  id: QueueId
  label: string
  /** The list's filters for this queue. */
  filters: ConversationFilters
  empty: string
}

export const QUEUES: Queue[] = [
  {
    id: 'unassigned',
    label: 'Unassigned',
    filters: { status: 'open', handled_by: 'human', assignee: 'none' },
    empty: 'Nobody is waiting for a person. Hand-offs land here.',
  },
  {
    id: 'mine',
    label: 'Mine',
    filters: { status: 'open', assignee: 'me' },
    empty: 'No open conversations are assigned to you.',
  },
  {
    id: 'all',
    label: 'All',
    filters: {},
    empty: 'When visitors chat with the widget, their conversations appear here.',
  },
]

const KEY = 'aurion.inbox.queue'

export function initialQueue(): QueueId {
  const q = localStorage.getItem(KEY)
  return q === 'unassigned' || q === 'mine' || q === 'all' ? q : 'all'
}

export const rememberQueue = (q: QueueId) => localStorage.setItem(KEY, q)
