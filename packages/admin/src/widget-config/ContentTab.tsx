import { TEXT_LIMITS } from '@aurion/contract'
import { Card } from '../components/Card.tsx'
import { Segmented, TextField, Toggle } from '../components/Field.tsx'
import { QuickActionsEditor } from './QuickActionsEditor.tsx'
import type { DraftTabProps } from './use-config-draft.ts'

/** Content: on/off and mode, the texts, suggested questions and the assistant's instructions. */
export function ContentTab({ draft, update, errorFor }: DraftTabProps) {
  return (
    <>
      <Card
        id="status-title"
        title="Status"
        description="Turn the widget off to hide it everywhere at once, without removing the snippet."
      >
        <Toggle
          label="Widget enabled"
          description="Shown on the allowed origins below when on."
          checked={draft.enabled}
          onChange={(v) => update({ enabled: v })}
        />
        <Segmented
          label="Mode"
          value={draft.mode}
          onChange={(v) => update({ mode: v })}
          options={[
            { value: 'both', label: 'Chat and voice' },
            { value: 'chat', label: 'Chat only' },
            { value: 'voice', label: 'Voice only' },
          ]}
          hint="With chat and voice, visitors switch between them in one conversation."
        />
      </Card>

      <Card
        id="texts-title"
        title="Texts"
        description="Translations of these live on the Languages tab."
      >
        <div class="grid-2">
          <TextField
            label="Title"
            name="display_title"
            value={draft.display_title}
            max={TEXT_LIMITS.display_title.max}
            error={errorFor('display_title')}
            hint="Heading of the chat panel."
            onInput={(v) => update({ display_title: v })}
          />
          <TextField
            label="Launcher label"
            name="launcher_label"
            value={draft.launcher_label}
            max={TEXT_LIMITS.launcher_label.max}
            error={errorFor('launcher_label')}
            hint="Text of the floating button."
            onInput={(v) => update({ launcher_label: v })}
          />
        </div>
        <TextField
          label="Welcome text"
          name="welcome_text"
          multiline
          rows={2}
          optional
          value={draft.welcome_text ?? ''}
          max={TEXT_LIMITS.welcome_text.max}
          error={errorFor('welcome_text')}
          hint="The first thing visitors read when they open the panel."
          onInput={(v) => update({ welcome_text: v })}
        />
        <TextField
          label="Bubble message"
          name="launcher_bubble_message"
          optional
          value={draft.launcher_bubble_message ?? ''}
          max={TEXT_LIMITS.launcher_bubble_message.max}
          error={errorFor('launcher_bubble_message')}
          hint="A small speech bubble above the launcher, until the visitor opens or dismisses it."
          onInput={(v) => update({ launcher_bubble_message: v === '' ? null : v })}
        />
      </Card>

      <Card
        id="qa-title"
        title="Suggested questions"
        description="One click starts a conversation about something visitors often ask."
      >
        <Toggle
          label="Show suggested questions"
          checked={draft.quick_actions_enabled}
          onChange={(v) => update({ quick_actions_enabled: v })}
        />
        <QuickActionsEditor
          actions={draft.quick_actions}
          disabled={!draft.quick_actions_enabled}
          errorFor={errorFor}
          onChange={(a) => update({ quick_actions: a })}
        />
      </Card>

      <Card
        id="feedback-title"
        title="Visitor feedback"
        description="What visitors think of the answers, counted on the dashboard."
      >
        <Toggle
          label="Thumbs up and down under answers"
          description="Visitors rate each answer of the assistant, with an optional comment on a thumbs down."
          checked={draft.feedback_enabled}
          onChange={(v) => update({ feedback_enabled: v })}
        />
        <Toggle
          label="Ask for satisfaction when resolved"
          description="A 1–5 rating when the visitor or a person resolves the conversation."
          checked={draft.csat_enabled}
          onChange={(v) => update({ csat_enabled: v })}
        />
      </Card>

      <Card
        id="agent-title"
        title="Assistant instructions"
        description="Extra guidance for the AI assistant: tone, what to avoid, when to hand over."
      >
        <TextField
          label="Instructions"
          name="agent_instructions"
          multiline
          rows={4}
          optional
          value={draft.agent_instructions ?? ''}
          max={4000}
          error={errorFor('agent_instructions')}
          placeholder="Answer briefly and in a friendly tone. Never ask for passwords."
          onInput={(v) => update({ agent_instructions: v === '' ? null : v })}
        />
      </Card>
    </>
  )
}
