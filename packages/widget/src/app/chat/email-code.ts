import { type ApiRequest, type ApiTarget, callApi, ids, json } from './endpoints.ts'
import type { ChatSession } from './session.ts'

/**
 * Proving the visitor's email with a mailed code (only the history view does it, so this sits in
 * its chunk).
 */

/** `POST /widget/session/code`: mails a one-time code to the token's email. */
export function codeRequest(t: ApiTarget, emailToken: string): ApiRequest {
  return json(`${t.apiBase}/api/v1/widget/session/code`, 'POST', {
    ...ids(t),
    email_token: emailToken,
  })
}

/** `POST /widget/session/verify`: the mailed code → a token that proves the email. */
export function verifyRequest(t: ApiTarget, emailToken: string, code: string): ApiRequest {
  return json(`${t.apiBase}/api/v1/widget/session/verify`, 'POST', {
    ...ids(t),
    email_token: emailToken,
    code,
  })
}

/** Mails a one-time code to the signed-in email. */
export async function requestCode(session: ChatSession): Promise<void> {
  const token = session.state.emailToken
  if (token) await callApi(codeRequest(session.api, token))
}

/** Proves the email with the mailed code: the token then lists every device's conversations. */
export async function verifyCode(session: ChatSession, code: string): Promise<void> {
  const token = session.state.emailToken
  if (!token) return
  const r = await callApi<{ email_token: string }>(verifyRequest(session.api, token, code))
  session.emailProved(r.email_token)
}
