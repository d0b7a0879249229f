import { useEffect, useRef } from 'react';
import { useLocation } from 'react-router';
import { useUiStore } from '../lib/ui-store';

/** The width under which the navigation column becomes the menu behind the bar's button (styles.css). */
const PHONE_QUERY = '(max-width: 760px)';

/**
 * The phone's menu as a disclosure that behaves like a small dialog: Escape and a change of page close
 * it (the backdrop and a chosen link close it through `closeNav`), focus moves to its current link
 * when it opens and back to the menu button when it closes, and a window widened past the phone width
 * closes it, so the page behind, made inert while the menu is open, never stays inert on a desktop.
 * The page behind does not scroll while it is open (styles.css, `:root:has(.sidebar.open)`).
 */
export function usePhoneMenu() {
  const navOpen = useUiStore((s) => s.navOpen);
  const closeNav = useUiStore((s) => s.closeNav);
  const toggleRef = useRef<HTMLButtonElement>(null);
  const navRef = useRef<HTMLElement>(null);
  const wasOpen = useRef(false);
  const { pathname } = useLocation();

  // Another page by any way (the browser's Back, a link on the page) leaves the menu closed.
  useEffect(() => closeNav(), [pathname, closeNav]);

  useEffect(() => {
    if (navOpen) {
      const nav = navRef.current;
      (nav?.querySelector<HTMLElement>('a.active') ?? nav?.querySelector<HTMLElement>('a'))?.focus();
    } else if (wasOpen.current && focusWasInMenu(navRef.current)) {
      toggleRef.current?.focus();
    }
    wasOpen.current = navOpen;
  }, [navOpen]);

  useEffect(() => {
    if (!navOpen) return;
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') closeNav();
    };
    const phone = window.matchMedia(PHONE_QUERY);
    const onWidth = () => {
      if (!phone.matches) closeNav();
    };
    document.addEventListener('keydown', onKey);
    phone.addEventListener('change', onWidth);
    return () => {
      document.removeEventListener('keydown', onKey);
      phone.removeEventListener('change', onWidth);
    };
  }, [navOpen, closeNav]);

  return { navOpen, toggleRef, navRef };
}

/**
 * Whether focus was in the menu (or fell to the page's body when the menu it was in disappeared, or
 * was on the backdrop): then it goes back to the menu button. Focus already elsewhere stays there.
 */
function focusWasInMenu(nav: HTMLElement | null): boolean {
  const active = document.activeElement;
  return active === null || active === document.body || (nav?.contains(active) ?? false);
}
