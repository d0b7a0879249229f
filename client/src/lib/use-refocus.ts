import { useEffect, useRef, type RefObject } from 'react';

/**
 * When `key` changes (not on the first render) and focus has fallen to the page's body, because the
 * control that had it went away (an approved request's buttons, a card leaving a list), focus goes to
 * `target`, so a keyboard user carries on from where they acted instead of from the top of the page.
 * Focus that is somewhere else is left where it is.
 */
export function useRefocusWhenLost(target: RefObject<HTMLElement | null>, key: unknown): void {
  const previous = useRef(key);
  useEffect(() => {
    if (Object.is(previous.current, key)) return;
    previous.current = key;
    const lost = document.activeElement === null || document.activeElement === document.body;
    if (lost) target.current?.focus();
  }, [target, key]);
}
