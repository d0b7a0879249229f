import { useMutation, useQuery } from '@tanstack/react-query';
import { LogOut, Menu } from 'lucide-react';
import { Suspense, useEffect } from 'react';
import { Link, NavLink, Outlet, useLocation } from 'react-router';
import { ToastHost } from '../components/ToastHost';
import { signedOut, useSession } from '../features/auth/useSession';
import { useTRPC } from '../lib/trpc';
import { useUiStore } from '../lib/ui-store';
import { APP_TITLE, documentTitle } from './document-title';
import { NAV_ITEMS } from './navigation';
import { usePhoneMenu } from './usePhoneMenu';

export function Layout() {
  const trpc = useTRPC();
  const info = useQuery(trpc.system.info.queryOptions());
  const { navOpen, toggleRef, navRef } = usePhoneMenu();
  const toggleNav = useUiStore((s) => s.toggleNav);
  const closeNav = useUiStore((s) => s.closeNav);
  const { user } = useSession();
  const signOut = useMutation(trpc.auth.signOut.mutationOptions({ onSettled: signedOut }));
  // Counts on the navigation; ToastHost refreshes them whenever a live alert arrives.
  const unreadAlerts = useQuery({ ...trpc.alerts.unreadCount.queryOptions(), enabled: Boolean(user) });
  const pendingApprovals = useQuery({ ...trpc.approvals.pending.queryOptions(), enabled: Boolean(user) });
  const badges: Record<string, number> = {
    '/alerts': unreadAlerts.data ?? 0,
    '/approvals': pendingApprovals.data?.length ?? 0,
  };
  const { pathname } = useLocation();
  const waiting = badges['/approvals'] ?? 0;
  useEffect(() => {
    document.title = documentTitle(pathname, waiting);
  }, [pathname, waiting]);
  // Signed out, the sign-in page must not keep a count or an area that is no longer there.
  useEffect(() => () => void (document.title = APP_TITLE), []);

  return (
    <div className="shell">
      {/* First in the tab order: past the bar, the navigation and any toasts, straight to the page. */}
      <a className="skip-link" href="#content">
        Skip to the page
      </a>
      <header className="topbar">
        <button
          ref={toggleRef}
          className="nav-toggle"
          aria-label="Menu"
          aria-expanded={navOpen}
          aria-controls="main-nav"
          onClick={toggleNav}
        >
          <Menu size={20} aria-hidden="true" />
        </button>
        <a className="brand" href="/">
          <span className="brand-mark" aria-hidden="true">S</span>
          Steward
        </a>
        {info.data && (
          <span className={`mode-badge mode-${info.data.mode}`} data-testid="mode-badge">
            {info.data.mode === 'sandbox' ? (
              <>
                Sandbox<span className="wide-only"> · no real money</span>
              </>
            ) : (
              'Live'
            )}
          </span>
        )}
        {user && (
          <div className="account-menu">
            <Link to="/account" className="account-email" data-testid="account-email" title="Your account: password, data, delete">
              {user.email}
            </Link>
            <button className="button subtle" aria-label="Sign out" onClick={() => signOut.mutate()} disabled={signOut.isPending}>
              <LogOut size={16} aria-hidden="true" /> <span className="wide-only">Sign out</span>
            </button>
          </div>
        )}
      </header>
      {/* The navigation column, with the toasts at its foot below the links, never over them (styles.css). */}
      <div className="side">
        <nav ref={navRef} id="main-nav" className={navOpen ? 'sidebar open' : 'sidebar'} aria-label="Main">
          <ul>
            {NAV_ITEMS.filter((item) => !item.operatorOnly || user?.role === 'operator').map((item) => (
              <li key={item.path}>
                <NavLink to={item.path} end={item.path === '/'} onClick={closeNav} className={({ isActive }) => (isActive ? 'active' : '')}>
                  <item.icon className="nav-icon" aria-hidden="true" size={20} strokeWidth={1.75} />
                  <span className="nav-text">
                    <span className="nav-label">{item.label}</span>
                    <span className="nav-hint">{item.hint}</span>
                  </span>
                  {(badges[item.path] ?? 0) > 0 && (
                    <span className="nav-badge" data-testid={`badge-${item.label.toLowerCase()}`} aria-label={`${badges[item.path]} new`}>
                      {badges[item.path]}
                    </span>
                  )}
                </NavLink>
              </li>
            ))}
          </ul>
          {info.data && <p className="version">v{info.data.version}</p>}
        </nav>
        {/* On a phone, a tap beside the open menu closes it (the backdrop is hidden on a desktop). */}
        {navOpen && <div className="nav-backdrop" data-testid="nav-backdrop" aria-hidden="true" onClick={closeNav} />}
        {user && <ToastHost inert={navOpen} />}
      </div>
      {/* While the phone's menu is open the page behind it is out of reach: no tabbing to what it covers. */}
      <main className="content" id="content" tabIndex={-1} inert={navOpen}>
        <Suspense fallback={<p className="page-summary">Loading…</p>}>
          <Outlet />
        </Suspense>
      </main>
    </div>
  );
}
