import type { ButtonHTMLAttributes, Ref } from 'preact'

export interface IconButtonProps extends Omit<ButtonHTMLAttributes<HTMLButtonElement>, 'label'> {
  /** Its accessible name, shown as its tooltip too. */
  label: string
  buttonRef?: Ref<HTMLButtonElement>
}

/** A button drawn as an icon (`type="button"` unless told otherwise). */
export function IconButton({ label, buttonRef, ...p }: IconButtonProps) {
  return <button type="button" ref={buttonRef} aria-label={label} title={label} {...p} />
}
