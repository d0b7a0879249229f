import { useQuery } from '@tanstack/react-query';
import { Menu } from 'lucide-react';
import { NavLink, Outlet } from 'react-router';
import { useTRPC } from '../lib/trpc';
import { useUiStore } from '../lib/ui-store';
import { NAV_ITEMS } from './navigation';

export function Layout() {
  const trpc = useTRPC();
  const info = useQuery(trpc.system.info.queryOptions());
  const navOpen = useUiStore((s) => s.navOpen);
  const toggleNav = useUiStore((s) => s.toggleNav);
  const closeNav = useUiStore((s) => s.closeNav);

  return (
    <div className="shell">
      <header className="topbar">
        <button
          className="nav-toggle"
          aria-label="Menu"
          aria-expanded={navOpen}
          aria-controls="main-nav"
          onClick={toggleNav}
        >
          <Menu size={20} aria-hidden="true" />
        </button>
        <a className="brand" href="/chat">
          <span className="brand-mark" aria-hidden="true">S</span>
          Steward
        </a>
        {info.data && (
          <span className={`mode-badge mode-${info.data.mode}`} data-testid="mode-badge">
            {info.data.mode === 'sandbox' ? 'Sandbox · no real money' : 'Live'}
          </span>
        )}
      </header>
      <nav id="main-nav" className={navOpen ? 'sidebar open' : 'sidebar'} aria-label="Main">
        <ul>
          {NAV_ITEMS.map((item) => (
            <li key={item.path}>
              <NavLink to={item.path} onClick={closeNav} className={({ isActive }) => (isActive ? 'active' : '')}>
                <item.icon className="nav-icon" aria-hidden="true" size={20} strokeWidth={1.75} />
                <span className="nav-text">
                  <span className="nav-label">{item.label}</span>
                  <span className="nav-hint">{item.hint}</span>
                </span>
              </NavLink>
            </li>
          ))}
        </ul>
        {info.data && <p className="version">v{info.data.version}</p>}
      </nav>
      <main className="content">
        <Outlet />
      </main>
    </div>
  );
}
