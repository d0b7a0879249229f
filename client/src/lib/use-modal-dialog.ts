import { useEffect, useRef, useState } from 'react';

/** What Tab can reach inside a dialog (disabled controls and removed-from-order elements are skipped). */
const FOCUSABLE = 'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

/**
 * A modal dialog for keyboard users: Escape closes it; Tab and Shift+Tab cycle inside it instead of
 * wandering to the page it covers; focus goes into it when it opens (its first control, unless one has
 * autoFocus) and back to what opened it when it closes, if that is still on the page (an approved
 * card may be gone: then the page decides). Put the returned ref on the element with role="dialog".
 */
export function useModalDialog<T extends HTMLElement>(onClose: () => void) {
  const ref = useRef<T>(null);
  // Read while rendering, before a field of the dialog takes focus with autoFocus.
  const [opener] = useState(openerOfDialog);

  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.contains(document.activeElement)) dialog.querySelector<HTMLElement>(FOCUSABLE)?.focus();
    return () => {
      const lost = document.activeElement === null || document.activeElement === document.body;
      if (lost && opener?.isConnected) opener.focus();
    };
  }, [opener]);

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') onClose();
      else if (event.key === 'Tab' && ref.current) keepTabInside(ref.current, event);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);

  return ref;
}

/**
 * The last element that had focus. A button that opens a dialog through a request (the server answers
 * "this needs your password") is disabled while the request runs and so loses focus to the body before
 * the dialog opens: it is still the one to give focus back to.
 */
let lastFocused: HTMLElement | null = null;
// From when a page with a dialog loads (before its buttons can be focused), not from the dialog's opening.
if (typeof document !== 'undefined') {
  document.addEventListener('focusin', (event) => {
    if (event.target instanceof HTMLElement) lastFocused = event.target;
  });
}

function openerOfDialog(): HTMLElement | null {
  const active = document.activeElement;
  if (active instanceof HTMLElement && active !== document.body) return active;
  return lastFocused;
}

/** Wraps Tab from the last control to the first, Shift+Tab from the first to the last. */
function keepTabInside(dialog: HTMLElement, event: KeyboardEvent) {
  const controls = [...dialog.querySelectorAll<HTMLElement>(FOCUSABLE)];
  const first = controls[0];
  const last = controls.at(-1);
  if (!first || !last) return;
  const active = document.activeElement;
  const outside = !dialog.contains(active);
  if (event.shiftKey && (active === first || outside)) {
    event.preventDefault();
    last.focus();
  } else if (!event.shiftKey && (active === last || outside)) {
    event.preventDefault();
    first.focus();
  }
}
