import type { Availability, TeamMember } from '@aurion/contract'
import { useEffect, useState } from 'preact/hooks'
import { endpoints } from '../api/endpoints.ts'
import { useApp } from '../lib/app-context.ts'
import { cx } from '../lib/format.ts'
import { toast } from '../lib/toast.ts'
import { errorMessage } from '../lib/use-async.ts'

/**
 * The signed-in person's availability: online (new conversations may be handed to them while a
 * console tab is open) or away. A switch in the sidebar, announced to assistive technology.
 */
export function AvailabilitySwitch() {
  const { api } = useApp()
  const [chosen, setChosen] = useState<Availability | undefined>(undefined)
  const [busy, setBusy] = useState(false)

  useEffect(() => {
    let live = true
    api.send<TeamMember>(endpoints.myMembership()).then(
      (m) => live && setChosen(m.chosen_availability),
      () => {},
    )
    return () => {
      live = false
    }
  }, [api])

  if (chosen === undefined) return null
  const online = chosen === 'online'
  const toggle = async () => {
    if (busy) return
    const next: Availability = online ? 'away' : 'online'
    setBusy(true)
    setChosen(next)
    try {
      const m = await api.send<TeamMember>(endpoints.setAvailability(next))
      setChosen(m.chosen_availability)
    } catch (err) {
      setChosen(chosen)
      toast.error(`Availability not changed: ${errorMessage(err)}`)
    } finally {
      setBusy(false)
    }
  }
  return (
    <button
      type="button"
      role="switch"
      aria-checked={online}
      aria-label={`Availability: ${online ? 'Online' : 'Away'}`}
      class={cx('availability', online ? 'presence-online' : 'presence-away')}
      onClick={() => void toggle()}
      title={online ? 'You can be handed conversations. Click to go away.' : 'Click to go online'}
    >
      <span class="presence-dot" aria-hidden="true" />
      <span class="availability-label">{online ? 'Online' : 'Away'}</span>
      <span class="availability-hint">{online ? 'Set away' : 'Go online'}</span>
    </button>
  )
}
