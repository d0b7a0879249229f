import { QueryClientProvider } from '@tanstack/react-query';
import { lazy, Suspense, useState, type ComponentType } from 'react';
import { BrowserRouter, Route, Routes } from 'react-router';
import { createApiClient, createQueryClient, TRPCProvider } from '../lib/trpc';
import { RequireAuth } from './RequireAuth';

/** Each area loads when first opened, so the first screen does not wait for every page's code. */
function page<K extends string>(load: () => Promise<Record<K, ComponentType>>, name: K) {
  return lazy(async () => ({ default: (await load())[name] }));
}
// The signed-in shell (navigation, icons, toasts) is fetched at once, alongside the session check, but
// outside the first chunk: the page shown first (sign-in, or "Loading…") does not wait for it to parse.
const layoutModule = import('./Layout');
const Layout = lazy(async () => ({ default: (await layoutModule).Layout }));
const SignInPage = page(() => import('../features/auth/SignInPage'), 'SignInPage');
const SignUpPage = page(() => import('../features/auth/SignUpPage'), 'SignUpPage');
const ResetPasswordPage = page(() => import('../features/auth/ResetPasswordPage'), 'ResetPasswordPage');
const HomePage = page(() => import('../features/home/HomePage'), 'HomePage');
const ChatPage = page(() => import('../features/chat/ChatPage'), 'ChatPage');
const ApprovalsPage = page(() => import('../features/approvals/ApprovalsPage'), 'ApprovalsPage');
const BudgetPage = page(() => import('../features/budget/BudgetPage'), 'BudgetPage');
const ServicesPage = page(() => import('../features/services/ServicesPage'), 'ServicesPage');
const WalletPage = page(() => import('../features/wallet/WalletPage'), 'WalletPage');
const TopUpStatusPage = page(() => import('../features/wallet/topups/TopUpStatusPage'), 'TopUpStatusPage');
const ActivityPage = page(() => import('../features/activity/ActivityPage'), 'ActivityPage');
const AlertsPage = page(() => import('../features/alerts/AlertsPage'), 'AlertsPage');
const DisputesPage = page(() => import('../features/disputes/DisputesPage'), 'DisputesPage');
const OperatorConsolePage = page(() => import('../features/disputes/OperatorConsolePage'), 'OperatorConsolePage');
const AgentKeysPage = page(() => import('../features/agent-keys/AgentKeysPage'), 'AgentKeysPage');
const SecurityPage = page(() => import('../features/security/SecurityPage'), 'SecurityPage');
const AccountPage = page(() => import('../features/account/AccountPage'), 'AccountPage');

export function App() {
  const [queryClient] = useState(createQueryClient);
  const [trpcClient] = useState(createApiClient);
  return (
    <QueryClientProvider client={queryClient}>
      <TRPCProvider trpcClient={trpcClient} queryClient={queryClient}>
        <BrowserRouter>
          <Suspense fallback={<PageLoading />}>
          <Routes>
            <Route path="signin" element={<SignInPage />} />
            <Route path="signup" element={<SignUpPage />} />
            <Route path="reset-password" element={<ResetPasswordPage />} />
            <Route element={<RequireAuth />}>
              <Route element={<Layout />}>
                <Route index element={<HomePage />} />
                <Route path="chat" element={<ChatPage />} />
                <Route path="approvals" element={<ApprovalsPage />} />
                <Route path="budget" element={<BudgetPage />} />
                <Route path="services" element={<ServicesPage />} />
                <Route path="wallet" element={<WalletPage />} />
                <Route path="wallet/top-ups/:topUpId" element={<TopUpStatusPage />} />
                <Route path="activity" element={<ActivityPage />} />
                <Route path="alerts" element={<AlertsPage />} />
                <Route path="disputes" element={<DisputesPage />} />
                <Route path="operator" element={<OperatorConsolePage />} />
                <Route path="agent-keys" element={<AgentKeysPage />} />
                <Route path="security" element={<SecurityPage />} />
                <Route path="account" element={<AccountPage />} />
                <Route path="*" element={<NotFound />} />
              </Route>
            </Route>
          </Routes>
          </Suspense>
        </BrowserRouter>
      </TRPCProvider>
    </QueryClientProvider>
  );
}

function PageLoading() {
  return (
    <p className="loading" role="status">
      Loading…
    </p>
  );
}

function NotFound() {
  return (
    <section className="page">
      <h1>Page not found</h1>
      <p className="page-summary">There is nothing at this address. Use the menu to find your way.</p>
    </section>
  );
}
