import { type Static, Type } from '@sinclair/typebox'

export const ANALYTICS_INTERVALS = ['day', 'week'] as const
export type AnalyticsInterval = (typeof ANALYTICS_INTERVALS)[number]
/** The longest period one request may cover (days). */
export const ANALYTICS_MAX_DAYS = 366
/** Without `from`/`to`: the last this many days. */
export const ANALYTICS_DEFAULT_DAYS = 30
/** Most groups `GET /api/v1/analytics/unanswered` returns (the largest first). */
export const UNANSWERED_MAX_GROUPS = { default: 50, max: 200 } as const
/** Conversation links kept per unanswered group (the most recent). */
export const UNANSWERED_MAX_LINKS = 10

/** `from` and `to` of a period `[from, to)` (ISO 8601), for a query's properties. */
export const PeriodBounds = {
  from: Type.Optional(
    Type.String({
      format: 'date-time',
      description: 'Start, inclusive (ISO 8601). Default: `to` minus 30 days',
    }),
  ),
  to: Type.Optional(
    Type.String({ format: 'date-time', description: 'End, exclusive (ISO 8601). Default: now' }),
  ),
}

const Period = {
  ...PeriodBounds,
  tz: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 64,
      description:
        'IANA time zone the series days and weeks start in, e.g. `Europe/Berlin`. Default: `UTC`',
    }),
  ),
}

/** Query of `GET /api/v1/analytics/overview`. */
export const AnalyticsOverviewQuery = Type.Object({
  ...Period,
  interval: Type.Optional(
    Type.Union(
      ANALYTICS_INTERVALS.map((i) => Type.Literal(i)),
      { description: 'Length of one `series` entry: `day` (default) or `week` (from Monday)' },
    ),
  ),
})
export type AnalyticsOverviewQuery = Static<typeof AnalyticsOverviewQuery>

const Nullable = <T extends ReturnType<typeof Type.Number>>(t: T) => Type.Union([t, Type.Null()])

/** One bucket of the overview's time series (conversations started in it). */
export const AnalyticsSeriesPoint = Type.Object({
  start: Type.String({ description: 'Start of the day or week in `tz`, as an ISO 8601 instant' }),
  conversations: Type.Integer(),
  resolved_by_ai: Type.Integer(),
  handed_off: Type.Integer(),
})
export type AnalyticsSeriesPoint = Static<typeof AnalyticsSeriesPoint>

/** `GET /api/v1/analytics/overview`: see docs/analytics.md for every definition. */
export const AnalyticsOverviewResponse = Type.Object({
  conversations: Type.Integer({ description: 'Conversations started in the period' }),
  visitor_messages: Type.Integer({ description: 'Messages visitors sent in the period' }),
  resolved_by_ai: Type.Integer({
    description: 'Conversations of the period the assistant resolved (docs/analytics.md)',
  }),
  handed_off: Type.Integer({ description: 'Conversations of the period handed to a person' }),
  ai_resolution_rate: Nullable(
    Type.Number({ description: 'resolved_by_ai / conversations (0–1); null without any' }),
  ),
  handoff_rate: Nullable(
    Type.Number({ description: 'handed_off / conversations (0–1); null without any' }),
  ),
  feedback: Type.Object({
    up: Type.Integer(),
    down: Type.Integer(),
  }),
  csat: Type.Object({
    average: Nullable(Type.Number({ description: 'Mean score 1–5; null without responses' })),
    responses: Type.Integer(),
  }),
  first_response_seconds: Type.Object({
    ai_p50: Nullable(Type.Number({ description: 'Median first visitor message → first answer' })),
    human_p50: Nullable(
      Type.Number({ description: "Median hand-off → a person's first reply to the visitor" }),
    ),
  }),
  series: Type.Array(AnalyticsSeriesPoint),
})
export type AnalyticsOverviewResponse = Static<typeof AnalyticsOverviewResponse>

/** Query of `GET /api/v1/analytics/unanswered`. */
export const AnalyticsUnansweredQuery = Type.Object({
  ...Period,
  limit: Type.Optional(
    Type.Integer({
      minimum: 1,
      maximum: UNANSWERED_MAX_GROUPS.max,
      default: UNANSWERED_MAX_GROUPS.default,
    }),
  ),
})
export type AnalyticsUnansweredQuery = Static<typeof AnalyticsUnansweredQuery>

/** A conversation where a question of the group was asked. */
export const UnansweredConversationLink = Type.Object({
  conversation_id: Type.String(),
  message_id: Type.String({ description: "The visitor's question" }),
  asked_at: Type.String(),
  url: Type.String({ description: 'Admin API address of the conversation' }),
})

/** Similar questions the assistant could not answer (or whose answer got a thumbs-down). */
export const UnansweredGroup = Type.Object({
  count: Type.Integer({ description: 'How often a question of the group was asked' }),
  example: Type.String({ description: 'One wording of the question (the most recent)' }),
  wordings: Type.Array(Type.String(), { description: 'Distinct wordings, most recent first' }),
  reasons: Type.Object({
    no_answer: Type.Integer({ description: 'The assistant had no knowledge to answer from' }),
    thumbs_down: Type.Integer({ description: 'The answer got a thumbs-down' }),
  }),
  last_asked_at: Type.String(),
  conversations: Type.Array(UnansweredConversationLink),
})
export type UnansweredGroup = Static<typeof UnansweredGroup>

/** `GET /api/v1/analytics/unanswered`: the largest groups first. */
export const AnalyticsUnansweredResponse = Type.Object({
  total: Type.Integer({ description: 'Unanswered questions in the period (all groups)' }),
  groups: Type.Array(UnansweredGroup),
})
export type AnalyticsUnansweredResponse = Static<typeof AnalyticsUnansweredResponse>

/** Query of `GET /api/v1/analytics/articles` and `/agents`. */
export const AnalyticsPeriodQuery = Type.Object({
  ...Period,
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 10 })),
})
export type AnalyticsPeriodQuery = Static<typeof AnalyticsPeriodQuery>

/** `GET /api/v1/analytics/articles`: the articles the assistant's answers cited most. */
export const AnalyticsArticlesResponse = Type.Object({
  articles: Type.Array(
    Type.Object({
      id: Type.String(),
      title: Type.String(),
      url: Type.Union([Type.String(), Type.Null()]),
      citations: Type.Integer({ description: 'Answers in the period that cited it' }),
    }),
  ),
})
export type AnalyticsArticlesResponse = Static<typeof AnalyticsArticlesResponse>

/** `GET /api/v1/analytics/agents`: hand-offs each person answered first, in the period. */
export const AnalyticsAgentsResponse = Type.Object({
  agents: Type.Array(
    Type.Object({
      user_id: Type.String(),
      name: Type.Union([Type.String(), Type.Null()]),
      email: Type.String(),
      conversations: Type.Integer({
        description: 'Conversations of the period whose first reply after the hand-off was theirs',
      }),
      first_reply_p50: Type.Union([Type.Number(), Type.Null()], {
        description: 'Median seconds from the hand-off to their first reply',
      }),
    }),
  ),
})
export type AnalyticsAgentsResponse = Static<typeof AnalyticsAgentsResponse>
