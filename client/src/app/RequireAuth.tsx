import { Navigate, Outlet, useLocation } from 'react-router';
import { useSession } from '../features/auth/useSession';

/** Every area of the app needs a signed-in person; anyone else goes to /signin and comes back after (query included). */
export function RequireAuth() {
  const { user, loading } = useSession();
  const location = useLocation();
  if (loading) {
    return (
      <p className="loading" role="status">
        Loading…
      </p>
    );
  }
  if (!user) return <Navigate to="/signin" replace state={{ from: location.pathname + location.search }} />;
  return <Outlet />;
}
