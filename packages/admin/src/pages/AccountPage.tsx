import { SessionsCard } from '../account/SessionsCard.tsx'
import { SsoCard } from '../account/SsoCard.tsx'
import { TwoFactorCard } from '../account/TwoFactorCard.tsx'
import { PageHeader } from '../components/Bits.tsx'
import { useApp } from '../lib/app-context.ts'

/**
 * The signed-in user's own sign-in settings: two-factor sign-in and where they are signed in.
 * Every role has it; owners also set the workspace's single sign-on here.
 */
export function AccountPage() {
  const { me } = useApp()
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
        {me?.user.role === 'owner' && <SsoCard />}
      </div>
    </div>
  )
}
