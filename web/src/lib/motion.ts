import { useSyncExternalStore } from 'react';

// The user's "reduce motion" setting (prefers-reduced-motion), kept current while the page is
// open. The workspace then turns Ant Design's motion off (App.tsx): dialogs, drawers and menus
// appear at once instead of zooming or sliding in.
const QUERY = '(prefers-reduced-motion: reduce)';

function subscribe(onChange: () => void): () => void {
  if (typeof window === 'undefined' || !window.matchMedia) return () => {};
  const mq = window.matchMedia(QUERY);
  mq.addEventListener('change', onChange);
  return () => mq.removeEventListener('change', onChange);
}

function snapshot(): boolean {
  return typeof window !== 'undefined' && !!window.matchMedia && window.matchMedia(QUERY).matches;
}

export function usePrefersReducedMotion(): boolean {
  return useSyncExternalStore(subscribe, snapshot, () => false);
}
