/** Where {@link memoIn} keeps its values: a Map, a WeakMap, an Lru. */
interface MemoStore<K, V> {
  get(key: K): V | undefined
  set(key: K, value: V): unknown
}

/**
 * `fn` with its results kept in `store` (bounded or weak as the store is). `fn` must not return
 * undefined: that result would be worked out again each time.
 */
export function memoIn<K, V>(store: MemoStore<K, V>, fn: (key: K) => V): (key: K) => V {
  return (key) => {
    let v = store.get(key)
    if (v === undefined) {
      v = fn(key)
      store.set(key, v)
    }
    return v
  }
}

/**
 * `fn` worked out once per object and kept as long as the object lives: for what depends only
 * on an immutable object, such as a passage or an article of one knowledge revision.
 */
export function oncePer<K extends object, V>(fn: (key: K) => V): (key: K) => V {
  return memoIn(new WeakMap<K, V>(), fn)
}
