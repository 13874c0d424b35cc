/**
 * A map bounded to `max` entries that drops the least recently used one (`get` and `set` use an
 * entry; `peek` does not). Recency is the Map's insertion order. Moving an entry costs a delete
 * and an insert, so a hit moves it only when it matters: once the map is nearly full (before,
 * nothing is dropped) and when it is not already the newest (a site's visitors hit one key over
 * and over).
 */
export class Lru<K, V> {
  readonly max: number
  #map = new Map<K, V>()
  #newest: K | undefined
  /** Below this size hits are not moved. */
  #orderFrom: number

  constructor(max: number) {
    this.max = max
    this.#orderFrom = Math.floor(max * 0.9)
  }

  get size(): number {
    return this.#map.size
  }

  /** The value, now the most recently used. */
  get(key: K): V | undefined {
    const map = this.#map
    const value = map.get(key)
    if (value !== undefined && map.size >= this.#orderFrom && this.#newest !== key) {
      map.delete(key)
      map.set(key, value)
      this.#newest = key
    }
    return value
  }

  /** The value, its recency left as it is. */
  peek(key: K): V | undefined {
    return this.#map.get(key)
  }

  /** Stores the value as the most recently used; drops the least recently used past `max`. */
  set(key: K, value: V): this {
    const map = this.#map
    if (this.#newest !== key) map.delete(key)
    map.set(key, value)
    this.#newest = key
    if (map.size > this.max) {
      const oldest = map.keys().next().value as K
      map.delete(oldest)
      if (oldest === this.#newest) this.#newest = undefined
    }
    return this
  }

  delete(key: K): boolean {
    if (this.#newest === key) this.#newest = undefined
    return this.#map.delete(key)
  }

  clear(): void {
    this.#map.clear()
    this.#newest = undefined
  }

  /** Keys, least recently used first. */
  keys(): IterableIterator<K> {
    return this.#map.keys()
  }
}
