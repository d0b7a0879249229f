import { QueryClientProvider } from '@tanstack/react-query';
import { useState } from 'react';
import { BrowserRouter, Navigate, Route, Routes } from 'react-router';
import { ActivityPage } from '../features/activity/ActivityPage';
import { AlertsPage } from '../features/alerts/AlertsPage';
import { ApprovalsPage } from '../features/approvals/ApprovalsPage';
import { BudgetPage } from '../features/budget/BudgetPage';
import { SignInPage } from '../features/auth/SignInPage';
import { SignUpPage } from '../features/auth/SignUpPage';
import { ChatPage } from '../features/chat/ChatPage';
import { SecurityPage } from '../features/security/SecurityPage';
import { ServicesPage } from '../features/services/ServicesPage';
import { WalletPage } from '../features/wallet/WalletPage';
import { createApiClient, createQueryClient, TRPCProvider } from '../lib/trpc';
import { Layout } from './Layout';
import { RequireAuth } from './RequireAuth';

export function App() {
  const [queryClient] = useState(createQueryClient);
  const [trpcClient] = useState(createApiClient);
  return (
    <QueryClientProvider client={queryClient}>
      <TRPCProvider trpcClient={trpcClient} queryClient={queryClient}>
        <BrowserRouter>
          <Routes>
            <Route path="signin" element={<SignInPage />} />
            <Route path="signup" element={<SignUpPage />} />
            <Route element={<RequireAuth />}>
              <Route element={<Layout />}>
                <Route index element={<Navigate to="/chat" replace />} />
                <Route path="chat" element={<ChatPage />} />
                <Route path="approvals" element={<ApprovalsPage />} />
                <Route path="budget" element={<BudgetPage />} />
                <Route path="services" element={<ServicesPage />} />
                <Route path="wallet" element={<WalletPage />} />
                <Route path="activity" element={<ActivityPage />} />
                <Route path="alerts" element={<AlertsPage />} />
                <Route path="security" element={<SecurityPage />} />
                <Route path="*" element={<NotFound />} />
              </Route>
            </Route>
          </Routes>
        </BrowserRouter>
      </TRPCProvider>
    </QueryClientProvider>
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
