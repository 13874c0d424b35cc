import type { Db } from '../db/schema.ts'
import { type ArticleFields, countArticles, createArticles } from './article-repo.ts'

/**
 * The demo tenant's IT help desk articles. Written the way tenants should write theirs: a short
 * intro, `## ` sections per platform or situation, numbered steps, a troubleshooting section,
 * and tags holding the words visitors use.
 */
export const DEMO_ARTICLES: readonly ArticleFields[] = [
  {
    title: 'Reset your password',
    tags: ['password', 'reset password', 'forgot password', 'expired password', 'sign in', 'login'],
    body: `If you forgot your password or it has expired, you can reset it yourself in about five minutes with the self-service password portal. You need the phone or authenticator app you registered for multi-factor authentication (MFA).

## Reset it yourself
1. Open the IT portal from any browser and choose "Forgot password".
2. Enter your work email address and complete the MFA prompt on your phone.
3. Choose a new password and type it twice.
4. Sign in with the new password on your computer first, then update it on your phone and other devices.

## Password rules
- At least 14 characters. A passphrase of four unrelated words is easiest to remember.
- It cannot be one of your last 5 passwords and cannot contain your name.
- Passwords expire every 180 days; you get a reminder email 14 days before.

## On a Mac
After resetting, your Mac may ask for the "login keychain" password. Choose "Update Keychain Password" and enter your old password once; if you no longer know it, choose "Create New Keychain".

## If that doesn't work
- No MFA prompt arriving: check that your phone has a connection, or use a code from the authenticator app instead.
- "Account locked" message: wait 15 minutes (the lock lifts automatically) or see the article on account lockouts.
- The new password works on your computer but not on Wi-Fi or VPN: it can take up to 15 minutes to reach every system. Restart the device after that.
- Still stuck: call the IT Service Desk on extension 4357. We will verify your identity and set a temporary password.`,
  },
  {
    title: 'Unlock your account after too many sign-in attempts',
    tags: ['locked out', 'account locked', 'lockout', 'too many attempts', 'sign in', 'login'],
    body: `Your account locks for 15 minutes after 10 wrong passwords in a row. This protects you from someone guessing your password. The lock lifts by itself; you don't need to call anyone unless it keeps happening.

## Unlock it now
1. Wait 15 minutes, then sign in once, carefully, with your current password.
2. If you don't remember the password, reset it in the IT portal ("Forgot password"). Resetting also unlocks the account.
3. If you need access right away, call the IT Service Desk on extension 4357 and we can unlock it after verifying your identity.

## Why it keeps locking
Almost always an old password saved somewhere keeps trying to sign in:
- Your phone's mail app, or a second phone or tablet you no longer use.
- Saved Wi-Fi networks on a laptop or phone (the office network signs in with your account).
- A mapped network drive or a saved credential in Windows Credential Manager.
- A VPN client on a home computer.

## Stop it happening again
1. Update the password in the mail app on every phone and tablet, or remove the account there.
2. On each device, "forget" the office Wi-Fi network and join it again with the new password.
3. On Windows, open Credential Manager and remove entries that mention your work account.
4. If it still locks after that, call the Service Desk: we can see which device is causing it.`,
  },
  {
    title: 'Set up multi-factor authentication (MFA)',
    tags: [
      'mfa',
      '2fa',
      'two-factor',
      'authenticator',
      'verification code',
      'new phone',
      'security',
    ],
    body: `Multi-factor authentication (MFA) protects your account with a second step after your password: a prompt or a 6-digit code from the Microsoft Authenticator app on your phone. Everyone must set it up in their first week.

## Set up the authenticator app
1. Install Microsoft Authenticator from the App Store or Google Play on your phone.
2. On your computer, open the IT portal and go to "Security info", then "Add sign-in method".
3. Choose "Authenticator app" and follow the prompts until a QR code appears.
4. In the app, tap "+", choose "Work or school account" and scan the QR code.
5. Approve the test notification on your phone. Done: you'll be asked to approve sign-ins from now on.

## Got a new phone?
If you still have the old phone, add the new one first: open "Security info", add the authenticator app again with the new phone, then delete the old entry. If the old phone is lost, wiped or broken, call the IT Service Desk on extension 4357; after verifying your identity we'll reset your MFA so you can register the new phone.

## If codes are rejected
- Codes depend on the phone's clock. Turn on automatic date and time in your phone's settings.
- Use the newest code; each one is valid for only 30 seconds.
- No notifications arriving: open the app and pull down to refresh, or type the code shown in the app instead.

## Never approve a prompt you didn't start
If you get an MFA prompt you did not expect, tap "Deny" and report it: someone may know your password. Then reset your password.`,
  },
  {
    title: 'Connect to the VPN',
    tags: ['vpn', 'remote access', 'work from home', 'globalprotect', 'remote'],
    body: `The VPN gives you access to internal systems (file shares, the intranet, HR and finance tools) when you're not in the office. We use the GlobalProtect VPN client; it's installed on every company laptop.

## On Windows
1. Click the GlobalProtect globe icon in the system tray (bottom right; look under the ^ arrow).
2. Enter the portal address vpn.company.example if asked and click "Connect".
3. Sign in with your work email and password and approve the MFA prompt.
4. The icon shows a shield when you are connected.

## On a Mac
1. Click the GlobalProtect globe icon in the menu bar (top right).
2. Click "Connect" and sign in with your work email and password.
3. Approve the MFA prompt on your phone.
4. The first time, macOS asks to allow a system extension: open System Settings › Privacy & Security, click "Allow" and connect again.

## If the VPN won't connect
1. Check that you have normal internet access: open any public website first.
2. Disconnect, quit GlobalProtect completely, and open it again.
3. Hotel and guest networks often need you to accept their terms in a browser before the VPN can connect.
4. Restart your computer; this clears most stuck connections.
5. Still failing: note the exact error message and call the IT Service Desk on extension 4357.

## If it keeps disconnecting
- Unstable Wi-Fi is the usual cause: move closer to the router or use a cable.
- Turn off other VPN apps (personal VPNs and ad blockers that act as a VPN clash with ours).
- Make sure your laptop has its latest updates, then restart it.`,
  },
  {
    title: 'Connect to the office Wi-Fi',
    tags: ['wifi', 'wi-fi', 'wireless', 'network', 'internet', 'guest wifi', 'visitor'],
    body: `There are two wireless networks in our offices: "Corp" for company devices and "Guest" for visitors and personal devices. Company laptops join Corp automatically; other devices need the steps below.

## On a company laptop
1. Click the Wi-Fi icon (bottom right on Windows, top right on a Mac) and choose "Corp".
2. If asked, sign in with your work email and password.
3. Accept the certificate prompt the first time; it is issued to "radius.company.example".

## On your phone
1. Open Wi-Fi settings and choose "Corp".
2. Enter your work email as the username and your work password.
3. If asked for a certificate or "CA certificate", choose "Use system certificates" and enter the domain company.example.
4. If your phone only needs internet access, use the Guest network instead.

## Guest Wi-Fi for visitors
Join "Guest", open any web page, and enter the visitor's email to get a day pass. The pass lasts 24 hours. Guest Wi-Fi reaches the internet only, not internal systems.

## If you can't connect
- Recently changed your password? "Forget" the Corp network on the device and join it again with the new password.
- Turn Wi-Fi off and on again, or restart the device.
- Other people around you also offline? It's probably an outage: report it to the IT Service Desk on extension 4357 and mention your floor and room.`,
  },
  {
    title: 'Set up work email on your phone',
    tags: ['email', 'mail', 'outlook', 'phone', 'mobile', 'iphone', 'android'],
    body: `You can read work email, calendar and contacts on your own phone with the Outlook app. For security, company mail only works in the Outlook app, not the phone's built-in Mail app.

## On an iPhone
1. Install Microsoft Outlook from the App Store.
2. Open it, tap "Add account" and enter your work email address.
3. Sign in with your work password and approve the MFA prompt.
4. When asked, allow notifications and install the Company Portal app if prompted; it protects work data on your phone.

## On Android
1. Install Microsoft Outlook from Google Play.
2. Open it, tap "Add account" and enter your work email address.
3. Sign in with your work password and approve the MFA prompt.
4. If Outlook asks you to install the Company Portal app, install it, sign in, and return to Outlook.

## If mail isn't syncing
- Open Outlook's settings, tap your account and choose "Reset account". Your mail downloads again within a few minutes.
- Check that you changed your password recently? Sign out of Outlook and back in with the new password.
- Make sure Outlook is allowed to use mobile data and background refresh.
- Still not working: remove the account from Outlook, restart the phone and add it again.`,
  },
  {
    title: 'Add a printer and fix printing problems',
    tags: ['printer', 'printing', 'print', 'print queue', 'scan', 'paper jam', 'toner'],
    body: `All office printers use secure "follow-me" printing: you print to the "FollowMe" queue and release the job at any printer by tapping your badge. Jobs wait for 24 hours.

## On Windows
1. Open Settings › Bluetooth & devices › Printers & scanners.
2. Click "Add device"; if "FollowMe" doesn't appear, click "Add manually" and enter \\\\print.company.example\\FollowMe.
3. Print as usual, then tap your badge on any printer and choose your job.

## On a Mac
1. Open System Settings › Printers & Scanners and click "Add Printer, Scanner or Fax".
2. Choose "FollowMe" from the list (it appears when you are on the office network or VPN).
3. If asked to sign in, use your work email and password, and tick "Remember this password".

## If a document is stuck or doesn't print
1. Check that your badge release shows the job. If it doesn't, the job never reached the server: make sure you're on the office network or VPN.
2. Open the print queue on your computer, cancel the stuck job and print again.
3. Restart your computer if the queue won't clear.
4. Printing from your phone isn't supported; email the file to yourself and print it from a computer.

## Paper jams and toner
Follow the picture on the printer's screen to clear a jam; never pull paper out from the front with force. For empty toner or a jam you can't clear, report it to the IT Service Desk with the printer's name (on the sticker on top).`,
  },
  {
    title: 'My computer is slow',
    tags: ['slow', 'performance', 'laptop', 'computer', 'freezing', 'sluggish', 'hanging'],
    body: `A slow computer usually has one of a few causes: it hasn't restarted in a long time, an update is waiting, the disk is full, or too many programs are open. These steps fix most cases in under ten minutes.

## Quick fixes
1. Restart the computer (a real restart, not just closing the lid). Many slow laptops haven't restarted in weeks.
2. Install waiting updates, then restart again.
3. Close browser tabs and programs you aren't using; video calls and many open tabs use the most memory.
4. Keep at least 15% of the disk free: empty the Downloads folder and the recycle bin.

## On Windows
Press Ctrl+Shift+Esc to open Task Manager and sort by "Memory" or "CPU" to see which program is busy. Close it from there if it's stuck. Check free disk space under Settings › System › Storage.

## On a Mac
Open Activity Monitor (Applications › Utilities) and sort by "% CPU" or "Memory" to find what's busy. Check free space under System Settings › General › Storage.

## If it's still slow
- A laptop that is hot and loud may have blocked vents: use it on a hard, flat surface.
- Slow only when on the VPN or on Wi-Fi? That's a network problem, not the computer: try a cable or another network.
- Still slow after all this, or older than four years? Call the IT Service Desk on extension 4357. We can check it remotely or arrange a replacement.`,
  },
  {
    title: 'Request new software',
    tags: [
      'software',
      'install',
      'application',
      'app',
      'license',
      'admin rights',
      'software center',
    ],
    body: `Most approved software can be installed in a few clicks from the Software Center, without waiting for IT. Anything else needs a short request so we can check licensing and security.

## Install from the Software Center
1. Open "Software Center" (Windows: Start menu; Mac: "Self Service" in Applications).
2. Search for the application, for example Zoom, Visual Studio Code, Adobe Acrobat Reader or Slack.
3. Click "Install". It installs in the background; you can keep working.

## Request something that isn't listed
1. Open the IT portal and choose "Request software".
2. Enter the application's name and website, what you need it for, and whether it needs a paid license.
3. Your manager approves the request, then IT reviews it, usually within two working days.
4. When approved, it appears in your Software Center and you get an email.

## Why can't I install it myself?
Company computers don't give everyday accounts administrator rights. Unknown software is one of the most common ways malware gets in, and licenses must be tracked. If you develop software and need temporary admin rights, ask for them in the IT portal under "Request admin access".`,
  },
  {
    title: 'Fix microphone, camera and sound in video calls',
    tags: [
      'microphone',
      'camera',
      'audio',
      'sound',
      'headset',
      'teams',
      'zoom',
      'video call',
      'webcam',
    ],
    body: `Most call problems come from the wrong device being selected or a missing permission. Check these before the call starts; it takes a minute.

## Choose the right devices
1. In Teams, Zoom or Meet, open the audio and video settings before joining.
2. Pick your headset (or laptop microphone) under "Microphone" and "Speaker"; speak and watch the level meter move.
3. Under "Camera", pick the camera you want and check the preview.

## Allow microphone and camera access
- Windows: Settings › Privacy & security › Microphone (and Camera): turn on access for desktop apps.
- Mac: System Settings › Privacy & Security › Microphone (and Camera): turn on the switch for your call app, then quit and reopen the app.
- In a browser call, click the padlock in the address bar and set Microphone and Camera to "Allow".

## If others can't hear you
1. Check the mute switch on your headset cable and the mute button in the call.
2. Unplug the headset and plug it in again (or switch Bluetooth off and on), then reselect it in the call settings.
3. Close other apps that might be using the microphone, such as a second call app.
4. Restart the computer if the device doesn't appear at all.

## If the camera shows a black image
Check for a privacy shutter or camera key on the laptop, close other apps using the camera, and restart the call app.`,
  },
  {
    title: 'Report a phishing or suspicious email',
    tags: ['phishing', 'suspicious email', 'spam', 'scam', 'security', 'clicked a link'],
    body: `Phishing emails pretend to be from someone you trust to make you click a link, open an attachment, or give away your password or money. Reporting them protects everyone: one report lets us remove the same email from every mailbox.

## How to spot one
- Urgent pressure ("your account will be closed today", "pay this invoice now").
- A sender address that doesn't match the name, or a link whose address differs from the text (hover to check).
- Unexpected attachments, requests for passwords or gift cards, or a changed bank account for a supplier.

## Report it
1. In Outlook, select the email and click "Report" › "Report phishing" (on your phone: open the email, tap "…" and choose "Report phishing").
2. Don't forward it to colleagues, and don't reply to the sender.
3. The email is moved out of your inbox; the security team reviews it.

## If you clicked a link or entered your password
Act straight away, it's not a problem to report a mistake:
1. Reset your password in the IT portal.
2. Call the IT Service Desk on extension 4357 and tell us what you clicked or entered.
3. If you opened an attachment, disconnect your computer from Wi-Fi and the network cable until we call you back.`,
  },
  {
    title: 'Get access to a shared folder or team site',
    tags: [
      'access',
      'permissions',
      'shared drive',
      'shared folder',
      'sharepoint',
      'team site',
      'file share',
    ],
    body: `Access to shared folders, team sites and business applications is approved by the owner of the data, usually the team's manager. IT grants it once the owner agrees.

## Request access
1. Open the IT portal and choose "Request access".
2. Enter the folder path or the site's web address, and whether you need to read or also edit.
3. The owner gets an approval email; most requests are done the same working day once approved.

## Open a shared folder
- On Windows, open File Explorer, type the folder path (for example \\\\files.company.example\\Finance) in the address bar and press Enter.
- On a Mac, in Finder choose Go › Connect to Server, enter smb://files.company.example/Finance and sign in with your work email and password.
- From home, connect to the VPN first.

## If you get "Access denied"
1. New access can take up to an hour to apply: sign out and back in (or restart) after the approval email.
2. Check the path for typos and that you are on the office network or VPN.
3. Still denied: reply to the approval email or call the IT Service Desk on extension 4357 with the exact path.`,
  },
]

/**
 * Gives the tenant the demo IT help articles when it has none yet (so running it again never
 * duplicates them). Returns the number of articles created.
 */
export async function seedDemoArticles(db: Db, tenantId: string): Promise<number> {
  if ((await countArticles(db, tenantId)) > 0) return 0
  const rows = await createArticles(db, tenantId, [...DEMO_ARTICLES])
  return rows.length
}
