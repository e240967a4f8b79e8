// Who is signed in. The session itself is the HttpOnly cookie; the app only asks /auth/me.
import { createContext, useContext, useEffect, type ReactNode } from 'react';
import { QueryClient, useQuery, useQueryClient } from '@tanstack/react-query';
import { ApiError, api, setUnauthorizedHandler } from './api/client';
import { keys } from './api/hooks';
import { dropEarly, takeEarly } from './api/early';
import type { LoginResponse, User } from './api/types';

interface AuthState {
  user: User | null;
  loading: boolean;
  signIn: (username: string, password: string) => Promise<User>;
  signOut: () => Promise<void>;
}

const AuthContext = createContext<AuthState | null>(null);

// Drops every cached answer except "who am I" (clearing that one too would detach the
// AuthProvider's own observer from the cache), then sets who is signed in now.
function resetSession(qc: QueryClient, user: User | null) {
  // An early answer was asked for by the previous session (a 401 before signing in, say).
  dropEarly();
  qc.removeQueries({ predicate: (q) => q.queryKey[0] !== keys.me[0] });
  qc.setQueryData(keys.me, user);
}

export function AuthProvider({ children }: { children: ReactNode }) {
  const qc = useQueryClient();
  const me = useQuery({
    queryKey: keys.me,
    queryFn: async () => {
      try {
        // boot.ts may have asked already, before the app started.
        return await (takeEarly<User>('/auth/me') ?? api.get<User>('/auth/me'));
      } catch (e) {
        if (e instanceof ApiError && e.status === 401) return null;
        throw e;
      }
    },
    staleTime: Infinity,
  });

  useEffect(() => {
    // A 401 anywhere else means the session expired: forget everything and show sign-in.
    setUnauthorizedHandler(() => resetSession(qc, null));
    return () => setUnauthorizedHandler(null);
  }, [qc]);

  const value: AuthState = {
    user: me.data ?? null,
    loading: me.isPending,
    signIn: async (username, password) => {
      const res = await api.post<LoginResponse>('/auth/login', { username, password });
      resetSession(qc, res.user);
      return res.user;
    },
    signOut: async () => {
      try {
        await api.post<void>('/auth/logout');
      } finally {
        resetSession(qc, null);
      }
    },
  };
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthState {
  const ctx = useContext(AuthContext);
  if (!ctx) throw new Error('useAuth outside AuthProvider');
  return ctx;
}
