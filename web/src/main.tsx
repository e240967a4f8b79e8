import React from 'react';
import ReactDOM from 'react-dom/client';
import { BrowserRouter } from 'react-router-dom';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import './i18n';
import App from './App';
import { ApiError } from './api/client';
import { earlyKey, settleEarly } from './api/early';
import { keys } from './api/hooks';
import { LIST_PAGE_REFERENCES, WHOLE_LIST, filtersFromSearch, pageQuery } from './lib/listQuery';

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      staleTime: 10_000,
      refetchOnWindowFocus: false,
      // A 4xx will not get better by asking again.
      retry: (count, error) => !(error instanceof ApiError && error.status < 500) && count < 2,
    },
  },
});

// boot.ts asked for "who am I" and the list's first page while the bundle loaded; they have
// usually arrived by now. Waiting a little for them lets the first render show the list at once,
// instead of a spinner, then the layout, then the rows, each a render of its own.
const EARLY_WAIT_MS = 300;

async function seedFromEarlyAnswers() {
  const answers = await settleEarly(EARLY_WAIT_MS);
  const me = answers.get(earlyKey('/auth/me'));
  if (me !== undefined) queryClient.setQueryData(keys.me, me);
  const list = pageQuery(filtersFromSearch(new URLSearchParams(location.search)));
  const page = answers.get(earlyKey('/customers', { ...list }));
  if (page !== undefined) queryClient.setQueryData(keys.customerList(list), page);
  const referenceKeys = { '/users': keys.users, '/categories': keys.categories, '/saved-views': keys.savedViews };
  for (const path of LIST_PAGE_REFERENCES) {
    const answer = answers.get(earlyKey(path, WHOLE_LIST));
    if (answer !== undefined) queryClient.setQueryData(referenceKeys[path], answer);
  }
}

void seedFromEarlyAnswers().finally(render);

function render() {
  ReactDOM.createRoot(document.getElementById('root')!).render(
    <React.StrictMode>
      <QueryClientProvider client={queryClient}>
        <BrowserRouter>
          <App />
        </BrowserRouter>
      </QueryClientProvider>
    </React.StrictMode>,
  );
}
