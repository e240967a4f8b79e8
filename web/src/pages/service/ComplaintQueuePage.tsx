// The complaint queue: mine or my teams', open complaints by priority (docs/service.md).
import { useState } from 'react';
import { Link } from 'react-router-dom';
import { Card, Segmented, Table, Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import { toBusinessCalendar, useCalendar, useQueue, type Complaint } from '../../api/service';
import SlaClock from '../../components/SlaClock';
import { formatTimestamp } from '../../lib/format';
import { useLang } from '../../App';
import { enumLabel } from '../../components/labels';

export default function ComplaintQueuePage() {
  const { t } = useTranslation();
  const lang = useLang();
  const [scope, setScope] = useState<'mine' | 'team'>('mine');
  const q = useQueue(scope);
  const cal = useCalendar(0);
  const calendar = cal.data ? toBusinessCalendar(cal.data) : undefined;
  return (
    <Card
      title={t('service.queue')}
      extra={
        <Segmented
          data-testid="queue-scope"
          value={scope}
          onChange={(v) => setScope(v as 'mine' | 'team')}
          options={[{ label: t('service.mine'), value: 'mine' }, { label: t('service.team'), value: 'team' }]}
        />
      }
    >
      <Table<Complaint>
        rowKey="id"
        loading={q.isLoading}
        dataSource={q.data?.items ?? []}
        pagination={false}
        data-testid="complaint-queue"
        columns={[
          { title: t('service.priority'), dataIndex: 'priority', width: 90 },
          { title: t('service.number'), render: (_, c) => <Link to={`/complaints/${c.id}`}>{c.number}</Link> },
          { title: t('service.customer'), render: (_, c) => <Link to={`/customers/${c.customer_id}`}>{c.customer_name || `#${c.customer_id}`}</Link> },
          { title: t('service.severity'), render: (_, c) => enumLabel('service.severities', c.severity, t) },
          { title: t('service.status'), render: (_, c) => <Tag>{enumLabel('service.statuses', c.status, t)}</Tag> },
          {
            title: t('service.sla'),
            render: (_, c) => <SlaClock complaint={c} calendar={calendar} fetchedAt={q.dataUpdatedAt} compact />,
          },
          { title: t('service.created'), render: (_, c) => formatTimestamp(c.created_at, lang) },
        ]}
      />
    </Card>
  );
}
