// A binary min-heap: the simulator's event queues (deliveries and timers, wait deadlines, waits
// to probe, free fds) take the earliest in O(log n) instead of keeping sorted arrays or rescanning.

/**
 * A min-heap of items by a number key, equal keys in the order pushed: the simulator's queues by
 * virtual time (deliveries, wait deadlines), by park order, and closed fds by number. Keys and
 * push order sit in typed arrays beside the items, so a comparison reads two numbers instead of
 * calling a comparator shared by every heap (a call V8 could not inline, a third of the network's
 * time).
 */
/** Eight keys: small enough that V8 keeps the arrays on its heap (a kernel's closed fds rarely pass it). */
const FIRST_CAPACITY = 8;

export class KeyedHeap<T> {
  #keys = new Float64Array(FIRST_CAPACITY);
  /** Push order: breaks ties between equal keys. */
  #order = new Float64Array(FIRST_CAPACITY);
  readonly #items: T[] = [];
  #pushed = 0;

  get size(): number {
    return this.#items.length;
  }

  /** The smallest key (Infinity when empty). */
  peekKey(): number {
    return this.#items.length > 0 ? this.#keys[0] : Infinity;
  }

  peek(): T | undefined {
    return this.#items[0];
  }

  push(key: number, item: T): void {
    const items = this.#items;
    let i = items.length;
    if (i === this.#keys.length) this.#grow();
    const keys = this.#keys;
    const order = this.#order;
    const pushed = this.#pushed++;
    items.push(item);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (keys[parent] < key || (keys[parent] === key && order[parent] < pushed)) break;
      keys[i] = keys[parent];
      order[i] = order[parent];
      items[i] = items[parent];
      i = parent;
    }
    keys[i] = key;
    order[i] = pushed;
    items[i] = item;
  }

  pop(): T | undefined {
    const items = this.#items;
    const top = items[0];
    // pop(), not a length set (a runtime call): the hot path of every queue.
    const last = items.pop();
    const n = items.length;
    if (n === 0) return top;
    const keys = this.#keys;
    const order = this.#order;
    const key = keys[n];
    const pushed = order[n];
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      const right = child + 1;
      if (right < n && (keys[right] < keys[child] || (keys[right] === keys[child] && order[right] < order[child]))) child = right;
      if (key < keys[child] || (key === keys[child] && pushed < order[child])) break;
      keys[i] = keys[child];
      order[i] = order[child];
      items[i] = items[child];
      i = child;
    }
    keys[i] = key;
    order[i] = pushed;
    items[i] = last!;
    return top;
  }

  #grow(): void {
    const keys = new Float64Array(2 * this.#keys.length);
    const order = new Float64Array(2 * this.#keys.length);
    keys.set(this.#keys);
    order.set(this.#order);
    this.#keys = keys;
    this.#order = order;
  }
}
