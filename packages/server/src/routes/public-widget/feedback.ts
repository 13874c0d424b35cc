import {
  ErrorResponse,
  WidgetCsatRequest,
  WidgetCsatResponse,
  WidgetFeedbackRequest,
  WidgetFeedbackResponse,
} from '@aurion/contract'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance } from 'fastify'
import type { RouteContext } from '../../app-deps.ts'
import { rateAnswer, rateConversation } from '../../feedback/feedback-service.ts'
import { guardVisitorWrite } from '../../widget-auth/visitor-guard.ts'
import { INVALID_TOKEN_RESPONSE, PUBLIC_ERROR_RESPONSES, TAGS } from './schemas.ts'

const NOT_YOURS = {
  404: { ...ErrorResponse, description: 'Unknown thread or message, or not yours' },
}
const switchedOff = (what: string) => ({
  403: {
    ...ErrorResponse,
    description: `Unknown tenant, wrong key, widget disabled, Origin not allowed, or ${what} turned off for this tenant`,
  },
})

/** `POST /api/v1/widget/feedback` and `POST /api/v1/widget/csat`: the visitor's verdicts. */
export async function feedbackRoutes(app: FastifyInstance, ctx: RouteContext): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>()
  r.post(
    '/api/v1/widget/feedback',
    {
      schema: {
        tags: TAGS,
        summary: 'Rate an answer of the assistant (thumbs up/down)',
        description:
          "Only an assistant answer in a thread of your own (the rule of /widget/messages: your `email_token`, or the thread reference of a conversation nobody claimed); anything else is 404, a visitor's or a person's message 422. A second vote replaces the first. Counts against the messages limit (60/minute per IP).",
        body: WidgetFeedbackRequest,
        response: {
          200: WidgetFeedbackResponse,
          ...INVALID_TOKEN_RESPONSE,
          ...PUBLIC_ERROR_RESPONSES,
          ...switchedOff('feedback (`feedback_enabled`)'),
          ...NOT_YOURS,
        },
      },
    },
    async (request, reply) => {
      const b = request.body
      const { access, identity } = await guardVisitorWrite(ctx, request, reply, b)
      return rateAnswer(ctx, access, {
        threadRef: b.thread_id,
        messageId: b.message_id,
        rating: b.rating,
        comment: b.comment,
        identity,
      })
    },
  )
  r.post(
    '/api/v1/widget/csat',
    {
      schema: {
        tags: TAGS,
        summary: 'Rate the conversation (satisfaction 1–5)',
        description:
          'The satisfaction score of the conversation of a thread of your own (same rule as /widget/feedback; else 404). A second answer replaces the first. Counts against the messages limit (60/minute per IP).',
        body: WidgetCsatRequest,
        response: {
          200: WidgetCsatResponse,
          ...INVALID_TOKEN_RESPONSE,
          ...PUBLIC_ERROR_RESPONSES,
          ...switchedOff('the satisfaction question (`csat_enabled`)'),
          ...NOT_YOURS,
        },
      },
    },
    async (request, reply) => {
      const b = request.body
      const { access, identity } = await guardVisitorWrite(ctx, request, reply, b)
      return rateConversation(ctx, access, {
        threadRef: b.thread_id,
        score: b.score,
        comment: b.comment,
        identity,
      })
    },
  )
}
