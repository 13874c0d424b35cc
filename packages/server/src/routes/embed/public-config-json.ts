import { toPublicConfig, type WidgetConfig } from '@aurion/contract'

// A tenant's config object lives until the tenant changes (tenant cache + public guard): its
// public JSON is built once per config, not once per visitor.
const cached = [new WeakMap<WidgetConfig, string>(), new WeakMap<WidgetConfig, string>()]

/** The embed config answer for `config` (`voice`: LiveKit is configured on this server). */
export function publicConfigJson(config: WidgetConfig, voice: boolean): string {
  const cache = cached[voice ? 1 : 0]!
  let json = cache.get(config)
  if (json === undefined) {
    json = JSON.stringify(toPublicConfig(config, voice))
    cache.set(config, json)
  }
  return json
}
