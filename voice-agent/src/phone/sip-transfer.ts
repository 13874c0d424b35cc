import { SipClient } from 'livekit-server-sdk'

/** Transfers the caller (a SIP participant) of this call's room to a phone number. */
export type SipTransfer = (participantIdentity: string, phoneNumber: string) => Promise<void>

/** How long the transfer target may ring before LiveKit gives up. */
const RINGING_TIMEOUT_SECONDS = 30

/**
 * LiveKit's SIP transfer (`TransferSIPParticipant`, a SIP REFER to the caller's provider) with
 * the worker's API key: the caller's call goes to `tel:<number>` and leaves the room once the
 * transfer is accepted. Rejects with LiveKit's error when the transfer does not go through.
 */
export function createSipTransfer(
  livekit: { url: string; apiKey: string; apiSecret: string },
  roomName: string,
): SipTransfer {
  const sip = new SipClient(livekit.url, livekit.apiKey, livekit.apiSecret)
  return (identity, number) =>
    sip.transferSipParticipant(roomName, identity, `tel:${number}`, {
      playDialtone: false,
      ringingTimeout: RINGING_TIMEOUT_SECONDS,
    })
}
