import { SessionsCard } from '../account/SessionsCard.tsx'
import { TwoFactorCard } from '../account/TwoFactorCard.tsx'
import { PageHeader } from '../components/Bits.tsx'

/** The signed-in user's own sign-in settings: two-factor sign-in and where they are signed in. Every role has it. */
export function AccountPage() {
  return (
    <div class="page">
      <PageHeader
        breadcrumb="Account"
        title="Sign-in & security"
        description="How you sign in to this console."
      />
      <div class="stack-lg">
        <TwoFactorCard />
        <SessionsCard />
      </div>
    </div>
  )
}
