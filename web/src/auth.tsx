// Who is signed in. The session itself is the HttpOnly cookie; the app only asks /auth/me.
import { createContext, useContext, useEffect, type ReactNode } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { ApiError, api, setUnauthorizedHandler } from './api/client';
import { keys } from './api/hooks';
import type { LoginResponse, User } from './api/types';

interface AuthState {
  user: User | null;
  loading: boolean;
  signIn: (username: string, password: string) => Promise<User>;
  signOut: () => Promise<void>;
}

const AuthContext = createContext<AuthState | null>(null);

export function AuthProvider({ children }: { children: ReactNode }) {
  const qc = useQueryClient();
  const me = useQuery({
    queryKey: keys.me,
    queryFn: async () => {
      try {
        return await api.get<User>('/auth/me');
      } catch (e) {
        if (e instanceof ApiError && e.status === 401) return null;
        throw e;
      }
    },
    staleTime: Infinity,
  });

  useEffect(() => {
    // A 401 anywhere else means the session expired: forget everything and show sign-in.
    setUnauthorizedHandler(() => {
      qc.clear();
      qc.setQueryData(keys.me, null);
    });
    return () => setUnauthorizedHandler(null);
  }, [qc]);

  const value: AuthState = {
    user: me.data ?? null,
    loading: me.isPending,
    signIn: async (username, password) => {
      const res = await api.post<LoginResponse>('/auth/login', { username, password });
      qc.clear();
      qc.setQueryData(keys.me, res.user);
      return res.user;
    },
    signOut: async () => {
      try {
        await api.post<void>('/auth/logout');
      } finally {
        qc.clear();
        qc.setQueryData(keys.me, null);
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
