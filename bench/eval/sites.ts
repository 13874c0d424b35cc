/**
 * Two small websites written for the retrieval evaluation (`npm run eval`): an espresso machine
 * shop's help pages (crawled as a website) and an invoicing app's docs (read from a sitemap).
 * Each page is HTML with site chrome around it, as a real site serves it.
 */
export interface EvalPage {
  path: string
  title: string
  /** The main content (HTML). */
  html: string
}

export interface EvalSite {
  name: string
  type: 'website' | 'sitemap'
  pages: EvalPage[]
}

const p = (...lines: string[]) => lines.map((l) => `<p>${l}</p>`).join('\n')
const h2 = (t: string) => `<h2>${t}</h2>`
const ol = (...items: string[]) => `<ol>${items.map((i) => `<li>${i}</li>`).join('')}</ol>`

export const BREWLINE: EvalSite = {
  name: 'brewline',
  type: 'website',
  pages: [
    {
      path: '/shipping',
      title: 'Shipping and delivery',
      html:
        p(
          'We ship every order from our warehouse in Lyon. Standard delivery takes three to five business days anywhere in the EU and costs 6 euros; orders over 80 euros ship free.',
        ) +
        h2('Express delivery') +
        p(
          'Express parcels arrive the next business day when you order before noon. Express costs 14 euros.',
        ) +
        h2('Tracking your parcel') +
        p(
          'As soon as your parcel leaves the warehouse we email you a tracking link. You can also find it under Orders in your account.',
        ),
    },
    {
      path: '/returns',
      title: 'Returns and refunds',
      html:
        p(
          'You can send back any unused product within 30 days of delivery for a full refund. Opened coffee beans cannot be returned.',
        ) +
        h2('How to return an item') +
        ol(
          'Open Orders in your account and choose Return.',
          'Print the prepaid label.',
          'Drop the parcel at any post office.',
        ) +
        h2('When you get your money back') +
        p(
          'Refunds reach your card or PayPal account within five business days after the parcel arrives at our warehouse.',
        ),
    },
    {
      path: '/warranty',
      title: 'Warranty',
      html:
        p(
          'Every Brewline espresso machine carries a two year warranty covering the pump, the boiler and the heating element. Grinders are covered for one year.',
        ) +
        h2('Making a warranty claim') +
        p(
          'Write to support with your order number and a short video of the fault. We send a courier to collect the machine and repair or replace it free of charge.',
        ) +
        h2('What is not covered') +
        p(
          'Damage from limescale, dropped machines and worn gaskets are not covered by the warranty.',
        ),
    },
    {
      path: '/descaling',
      title: 'Descaling your espresso machine',
      html:
        p(
          'Limescale builds up in the boiler and slows the machine down. Descale every 200 cups, or every month if your water is hard.',
        ) +
        h2('Steps') +
        ol(
          'Dissolve one sachet of citric acid descaler in one litre of warm water.',
          'Pour it into the water tank and run it through the steam wand and the group head.',
          'Rinse by running two full tanks of clean water.',
        ) +
        h2('The descale light') +
        p(
          'The orange drop symbol lights up when descaling is due. It turns off after the rinse cycle.',
        ),
    },
    {
      path: '/grind-size',
      title: 'Choosing the grind size',
      html:
        p(
          'The grind size decides how fast water runs through the coffee. A shot should take 25 to 30 seconds for a double espresso.',
        ) +
        h2('Shot runs too fast') +
        p(
          'If the espresso is watery and sour, grind finer: turn the grinder dial one step towards 1.',
        ) +
        h2('Shot runs too slow') +
        p('If the coffee drips slowly and tastes bitter, grind coarser: turn the dial towards 10.'),
    },
    {
      path: '/milk',
      title: 'Frothing milk',
      html:
        p(
          'Use cold whole milk from the fridge for the creamiest foam; oat milk labelled barista edition works well too.',
        ) +
        h2('Steaming technique') +
        ol(
          'Purge the steam wand for two seconds.',
          'Hold the wand tip just below the surface until the jug feels warm, about 60 degrees.',
          'Wipe the wand with a damp cloth straight away.',
        ),
    },
    {
      path: '/error-codes',
      title: 'Error codes on the display',
      html:
        h2('E1: no water') +
        p('The tank is empty or not seated properly. Refill it and push it down until it clicks.') +
        h2('E2: overheating') +
        p(
          'Switch the machine off and let it cool for 30 minutes. If E2 returns, contact support.',
        ) +
        h2('E3: pump blocked') +
        p('The pump cannot draw water, usually because of limescale. Run a descaling cycle.'),
    },
    {
      path: '/subscription',
      title: 'Coffee bean subscription',
      html:
        p(
          'Get freshly roasted beans delivered every two or four weeks. Each bag is roasted in the week it ships.',
        ) +
        h2('Pause or skip a delivery') +
        p(
          'Open Subscription in your account to skip the next bag or pause deliveries for up to three months.',
        ) +
        h2('Cancel the subscription') +
        p(
          'You can cancel at any time from the same page; nothing is charged after the bag that is already roasting.',
        ),
    },
    {
      path: '/payment',
      title: 'Payment methods',
      html:
        p(
          'We accept Visa, Mastercard, American Express, PayPal and Apple Pay. Payment is taken when your order ships.',
        ) +
        h2('Paying in instalments') +
        p(
          'For machines over 300 euros you can pay in three interest-free instalments with Klarna at checkout.',
        ) +
        h2('Invoices') +
        p(
          'A VAT invoice is attached to your shipping confirmation email and can be downloaded from Orders.',
        ),
    },
    {
      path: '/account',
      title: 'Your account and password',
      html:
        h2('Reset your password') +
        p(
          'Click Forgot password on the sign-in page and enter your email address. The reset link is valid for one hour.',
        ) +
        h2('Change your email address') +
        p(
          'Open Account settings, enter the new address and confirm it from the email we send there.',
        ),
    },
    {
      path: '/water-filter',
      title: 'Water filter',
      html:
        p(
          'The water filter in the tank removes chlorine and softens hard water, so you descale less often. Replace it every two months.',
        ) +
        h2('Installing a new filter') +
        ol(
          'Soak the new cartridge in water for five minutes.',
          'Screw it into the base of the tank.',
          'Set the filter reminder in the machine menu.',
        ),
    },
    {
      path: '/cleaning',
      title: 'Daily cleaning',
      html:
        p('Clean the machine every day to keep the coffee tasting right.') +
        h2('Backflushing the group head') +
        p(
          'Put the blind basket in the portafilter, add a little cleaning powder and run five short cycles of ten seconds.',
        ) +
        h2('Drip tray and grounds') +
        p(
          'Empty the drip tray and the used grounds container every evening and wash them in warm soapy water.',
        ),
    },
  ],
}

export const LEDGERLY: EvalSite = {
  name: 'ledgerly',
  type: 'sitemap',
  pages: [
    {
      path: '/docs/create-invoice',
      title: 'Create and send an invoice',
      html:
        p(
          'Click New invoice, pick a client, add line items with quantity and unit price, then click Send. The client gets an email with a link to view and pay the invoice.',
        ) +
        h2('Invoice numbers') +
        p(
          'Numbers follow the pattern you set under Settings → Numbering, for example INV-2024-001, and are never reused.',
        ) +
        h2('Add your logo') +
        p(
          'Upload a PNG or SVG logo under Settings → Branding; it appears at the top of every invoice PDF.',
        ),
    },
    {
      path: '/docs/recurring',
      title: 'Recurring invoices',
      html:
        p(
          'For retainers and subscriptions, make an invoice recurring: choose weekly, monthly, quarterly or yearly, and a start date.',
        ) +
        h2('Stop a recurring invoice') +
        p('Open the recurring profile and click End series. Invoices already sent stay valid.'),
    },
    {
      path: '/docs/reminders',
      title: 'Payment reminders',
      html:
        p(
          'Ledgerly can chase late payers for you. Turn on automatic reminders under Settings → Reminders.',
        ) +
        h2('Reminder schedule') +
        p(
          'By default a friendly reminder goes out 3 days before the due date, and firmer ones 7 and 14 days after it is overdue.',
        ) +
        h2('Late fees') +
        p(
          'You can add a fixed late fee or a monthly percentage to overdue invoices automatically.',
        ),
    },
    {
      path: '/docs/tax',
      title: 'Tax rates and VAT',
      html:
        p(
          'Add the tax rates you charge under Settings → Taxes, for example 20% VAT or 8.875% sales tax, and set a default rate.',
        ) +
        h2('Reverse charge') +
        p(
          'For business clients in another EU country, tick Reverse charge on the invoice: no VAT is added and the legal note is printed.',
        ) +
        h2('Tax-inclusive prices') +
        p('Switch prices to include tax when your price list already contains VAT.'),
    },
    {
      path: '/docs/currencies',
      title: 'Multiple currencies',
      html:
        p(
          'Each client can be billed in their own currency. Ledgerly supports 140 currencies and converts totals to your home currency in reports using the daily exchange rate.',
        ) +
        h2('Change a client’s currency') +
        p('Edit the client and pick the currency; it applies to new invoices only.'),
    },
    {
      path: '/docs/bank',
      title: 'Connect your bank account',
      html:
        p(
          'Link your business bank account under Banking → Connect. Transactions are imported every night over Open Banking, read-only.',
        ) +
        h2('Matching payments') +
        p(
          'When a deposit equals an open invoice total, Ledgerly suggests marking the invoice as paid. Confirm with one click.',
        ) +
        h2('Connection expired') +
        p(
          'Banks ask you to renew consent every 90 days. Click Reconnect when the banner asks you to.',
        ),
    },
    {
      path: '/docs/export',
      title: 'Export data for your accountant',
      html:
        p(
          'Go to Reports → Export to download invoices, payments and expenses as CSV or as a DATEV file.',
        ) +
        h2('Give your accountant access') +
        p(
          'Invite your accountant with the Accountant role: they can read everything and export, but cannot send invoices.',
        ),
    },
    {
      path: '/docs/team',
      title: 'Team members and roles',
      html:
        p(
          'Invite colleagues under Settings → Team. Every member signs in with their own email address.',
        ) +
        h2('Roles') +
        p(
          'Owners manage billing and the team; Admins manage everything else; Members create invoices; Accountants have read-only access with exports.',
        ) +
        h2('Remove a member') +
        p('Click Remove next to their name. Their invoices stay in the account.'),
    },
    {
      path: '/docs/two-factor',
      title: 'Two-factor authentication',
      html:
        p(
          'Protect your login with a second step. Open Profile → Security, scan the QR code with an authenticator app such as Google Authenticator or 1Password, and enter the six-digit code.',
        ) +
        h2('Lost your phone') +
        p(
          'Sign in with one of the recovery codes you saved when turning it on. Without them, the account owner can reset two-factor for you.',
        ),
    },
    {
      path: '/docs/plans',
      title: 'Plans and billing',
      html:
        p(
          'Ledgerly has three plans: Starter (free, 5 clients), Pro (19 euros a month, unlimited clients) and Business (49 euros a month, team roles and bank sync).',
        ) +
        h2('Upgrade or downgrade') +
        p(
          'Change plans under Settings → Subscription. Upgrades apply at once and are prorated; downgrades apply at the end of the billing period.',
        ) +
        h2('Receipts') +
        p(
          'Your receipts for the Ledgerly subscription are emailed each month and listed under Settings → Subscription.',
        ),
    },
    {
      path: '/docs/close-account',
      title: 'Close your account',
      html:
        p(
          'The owner can close the account under Settings → Danger zone. Export your data first: closed accounts are deleted after 30 days.',
        ) +
        h2('Reopen within 30 days') +
        p('Sign in again within 30 days and click Reopen to restore everything.'),
    },
    {
      path: '/docs/client-portal',
      title: 'The client portal',
      html:
        p(
          'Clients see all their invoices, quotes and payment history in the client portal, without creating a password: the link in each email signs them in.',
        ) +
        h2('Online payments') +
        p(
          'Connect Stripe under Settings → Payments so clients can pay by card or SEPA direct debit from the portal.',
        ),
    },
  ],
}

export const EVAL_SITES: EvalSite[] = [BREWLINE, LEDGERLY]
