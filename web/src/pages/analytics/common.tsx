// Shared parts of the value pages: the run header (snapshot time, model version, run now with
// progress) and the empty state before the first run.
import type { ReactNode } from 'react';
import { Alert, Button, Card, Progress, Result, Space, Spin, Typography } from 'antd';
import { useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { useEffect, useRef } from 'react';
import { ApiError } from '../../api/client';
import { analyticsKeys, useRuns, useStartRun } from '../../api/analytics';
import { formatDate, formatTimestamp } from '../../lib/format';
import { useLang } from '../../App';
import { enumLabel } from '../../components/labels';

interface RunInfo {
  run_id: number;
  computed_at: string;
  as_of: string;
  model_version: string;
}

export function RunHeader({ run }: { run?: RunInfo }) {
  const { t } = useTranslation();
  const lang = useLang();
  const qc = useQueryClient();
  const runs = useRuns();
  const start = useStartRun();
  const running = runs.data?.items.find((r) => r.status === 'running');
  const wasRunning = useRef(false);
  useEffect(() => {
    if (wasRunning.current && !running) void qc.invalidateQueries({ queryKey: analyticsKeys.all });
    wasRunning.current = !!running;
  }, [running, qc]);
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <Space wrap>
        {run && (
          <Typography.Text type="secondary" data-testid="run-info">
            {t('analytics.computedAt', { at: formatTimestamp(run.computed_at, lang), asOf: formatDate(run.as_of, lang) })} ·{' '}
            {t('analytics.modelVersion', { v: run.model_version })}
          </Typography.Text>
        )}
        <Button data-testid="run-analytics" loading={start.isPending} disabled={!!running} onClick={() => start.mutate()}>
          {t('analytics.runNow')}
        </Button>
      </Space>
      {running && (
        <Progress
          data-testid="run-progress"
          percent={Math.round(running.progress * 100)}
          format={(p) => `${enumLabel('analytics.stages', running.stage, t)} ${p}%`}
        />
      )}
      {start.error && <Alert type="error" showIcon message={(start.error as Error).message} />}
    </Space>
  );
}

/** Loading, "no run yet" (409) and error states around a view. */
export function ViewState({ query, children }: {
  query: { isLoading: boolean; error: unknown; data?: unknown };
  children: () => ReactNode;
}) {
  const { t } = useTranslation();
  if (query.isLoading) return <Spin />;
  if (query.error) {
    const e = query.error as ApiError;
    if (e.status === 409) {
      return (
        <Card>
          <Result status="info" title={t('analytics.noRun')} extra={<RunHeader />} />
        </Card>
      );
    }
    if (e.status === 403) return <Result status="403" title={t('analytics.forbidden')} />;
    return <Alert type="error" showIcon message={e.message} />;
  }
  return <>{children()}</>;
}

export function segmentLabel(lang: string, en: string, zh: string) {
  return lang === 'zh-CN' ? zh || en : en;
}

