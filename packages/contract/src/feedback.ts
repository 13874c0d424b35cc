import { type Static, Type } from '@sinclair/typebox'

/** Longest comment a visitor may leave with a vote or a satisfaction score. */
export const FEEDBACK_COMMENT_MAX_LENGTH = 1000
/** The satisfaction scale: 1 (very unhappy) … 5 (very happy). */
export const CSAT_SCORE = { min: 1, max: 5 } as const
export const FEEDBACK_RATINGS = ['up', 'down'] as const
export type FeedbackRating = (typeof FEEDBACK_RATINGS)[number]

const Credentials = {
  tenant_id: Type.String({ minLength: 1, maxLength: 64, description: 'Your tenant UUID' }),
  public_key: Type.String({ minLength: 1, maxLength: 128, description: 'Public widget key' }),
  thread_id: Type.String({
    minLength: 1,
    maxLength: 128,
    description: 'The thread the answer is in: its id (thread_…) or your client-chosen id',
  }),
  email_token: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 2048,
      description: 'Token from /widget/session; required for a conversation recorded under one',
    }),
  ),
}
const Comment = Type.Optional(
  Type.String({
    maxLength: FEEDBACK_COMMENT_MAX_LENGTH,
    description: `Optional words from the visitor (at most ${FEEDBACK_COMMENT_MAX_LENGTH} characters)`,
  }),
)

/** `POST /api/v1/widget/feedback` body: a thumbs up/down on one assistant answer. */
export const WidgetFeedbackRequest = Type.Object({
  ...Credentials,
  message_id: Type.String({ minLength: 1, maxLength: 64, description: "The answer's id" }),
  rating: Type.Union(
    FEEDBACK_RATINGS.map((r) => Type.Literal(r)),
    { description: '`up` (helpful) or `down` (not helpful); a second vote replaces the first' },
  ),
  comment: Comment,
})
export type WidgetFeedbackRequest = Static<typeof WidgetFeedbackRequest>

/** `POST /api/v1/widget/feedback` 200 body. */
export const WidgetFeedbackResponse = Type.Object({
  message_id: Type.String(),
  rating: Type.Union(FEEDBACK_RATINGS.map((r) => Type.Literal(r))),
})
export type WidgetFeedbackResponse = Static<typeof WidgetFeedbackResponse>

/** `POST /api/v1/widget/csat` body: how satisfied the visitor is with the conversation. */
export const WidgetCsatRequest = Type.Object({
  ...Credentials,
  score: Type.Integer({
    minimum: CSAT_SCORE.min,
    maximum: CSAT_SCORE.max,
    description: '1 (very unhappy) … 5 (very happy); a second answer replaces the first',
  }),
  comment: Comment,
})
export type WidgetCsatRequest = Static<typeof WidgetCsatRequest>

/** `POST /api/v1/widget/csat` 200 body. */
export const WidgetCsatResponse = Type.Object({
  conversation_id: Type.String(),
  score: Type.Integer(),
})
export type WidgetCsatResponse = Static<typeof WidgetCsatResponse>

/** Feedback switches of `PUT /api/v1/voice-widget/config` (optional: left out keeps the value; default on). */
export const FeedbackConfigUpdateFields = {
  feedback_enabled: Type.Optional(
    Type.Boolean({
      description:
        'Thumbs up/down under each answer of the assistant; when false the widget hides them and /widget/feedback answers 403',
    }),
  ),
  csat_enabled: Type.Optional(
    Type.Boolean({
      description:
        'The 1–5 satisfaction question when a conversation is resolved; when false the widget does not ask and /widget/csat answers 403',
    }),
  ),
}

/** The same fields in `VoiceWidgetConfigResponse` (and the public embed config). */
export const FeedbackConfigResponseFields = {
  feedback_enabled: Type.Boolean(),
  csat_enabled: Type.Boolean(),
}

export interface FeedbackConfig {
  feedback_enabled: boolean
  csat_enabled: boolean
}

export const FEEDBACK_CONFIG_DEFAULTS: Readonly<FeedbackConfig> = Object.freeze({
  feedback_enabled: true,
  csat_enabled: true,
})
