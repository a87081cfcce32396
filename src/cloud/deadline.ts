/** A signal that aborts when its parent does or when its time is up, whichever comes first. */
export interface Deadline {
  readonly signal: AbortSignal;
  /** True once the time ran out (not when the parent aborted). */
  readonly expired: boolean;
  /** Stops the timer and lets go of the parent; call it when the guarded work settles. */
  clear(): void;
}

/**
 * Starts a deadline of `ms` milliseconds under `parent`; `what` names it in the abort reason.
 * Not AbortSignal.any([parent, AbortSignal.timeout(ms)]): on Node 20 the timeout signal inside a
 * composite can be garbage-collected before it fires (nodejs/node#57736), and the deadline silently
 * never comes. A plain timer that we clear ourselves cannot be lost, and the listener on a long-lived
 * parent is removed instead of piling up.
 */
export function startDeadline(ms: number, parent?: AbortSignal, what = 'deadline'): Deadline {
  const controller = new AbortController();
  let expired = false;
  const timer = setTimeout(() => {
    expired = true;
    controller.abort(new DOMException(`${what} of ${ms} ms passed`, 'TimeoutError'));
  }, ms);
  const onParentAbort = (): void => controller.abort(parent?.reason);
  if (parent?.aborted) onParentAbort();
  else parent?.addEventListener('abort', onParentAbort, { once: true });
  return {
    signal: controller.signal,
    get expired() {
      return expired;
    },
    clear() {
      clearTimeout(timer);
      parent?.removeEventListener('abort', onParentAbort);
    },
  };
}
