// The customer 360° timeline: one feed merged on the server from every source (audit events,
// interactions, and later complaints and orders), newest first, with "load more".
import type { ReactNode } from 'react';
import { Alert, Button, Card, Empty, Space, Spin, Tag, Timeline, Typography } from 'antd';
import {
  AuditOutlined, CalendarOutlined, CommentOutlined, EnvironmentOutlined, FileTextOutlined, MailOutlined,
  MessageOutlined, PhoneOutlined, PrinterOutlined, TeamOutlined, WechatOutlined,
} from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { actorLabel, codeLabel, enumLabel } from '../../components/labels';
import { formatMoney, formatTimestamp, type Lang } from '../../lib/format';
import { useTimeline, type Interaction, type TimelineEntry } from './api';

const TYPE_ICONS: Record<string, ReactNode> = {
  call: <PhoneOutlined />, visit: <EnvironmentOutlined />, email: <MailOutlined />, sms: <MessageOutlined />,
  wechat: <WechatOutlined />, letter: <FileTextOutlined />, fax: <PrinterOutlined />, meeting: <TeamOutlined />,
  event: <CalendarOutlined />, note: <CommentOutlined />,
};

// The outcomes the telephony integration writes (src/domain/interactions/telephony.cc); an outcome
// typed by hand is free text and shown as typed.
const CALL_OUTCOMES = ['answered', 'missed'] as const;

export function entryIcon(e: TimelineEntry): ReactNode {
  if (e.kind === 'interaction') return TYPE_ICONS[(e.data as { type?: string }).type ?? ''] ?? <CommentOutlined />;
  if (e.kind === 'audit') return <AuditOutlined />;
  return <CalendarOutlined />;
}

export function InteractionLine({ i, lang }: { i: Interaction; lang: Lang }) {
  const { t } = useTranslation();
  return (
    <div>
      <Space size={4} wrap>
        <Typography.Text strong>{enumLabel('interactions.types', i.type, t)}</Typography.Text>
        {i.subtype && <Tag>{enumLabel('interactions.subtypes', i.subtype, t)}</Tag>}
        <Tag color={i.direction === 'inbound' ? 'blue' : i.direction === 'outbound' ? 'green' : 'default'}>
          {enumLabel('interactions.directions', i.direction, t)}
        </Tag>
        {i.subject && <Typography.Text>{i.subject}</Typography.Text>}
        {i.outcome && <Tag color={i.outcome === 'missed' ? 'red' : 'default'}>{codeLabel(i.outcome, CALL_OUTCOMES, 'interactions.outcomes', t)}</Tag>}
        {i.duration_seconds > 0 && (
          <Typography.Text type="secondary">{t('interactions.durationValue', { s: i.duration_seconds })}</Typography.Text>
        )}
      </Space>
      <div>
        <Typography.Text type="secondary">
          {formatTimestamp(i.occurred_at, lang)} · {t('c360.by', { name: i.created_by_name || '—' })}
        </Typography.Text>
      </div>
      {i.body && <Typography.Paragraph style={{ margin: '4px 0 0', whiteSpace: 'pre-wrap' }}>{i.body}</Typography.Paragraph>}
    </div>
  );
}

/**
 * An order's or a complaint event's line in the user's language, from the entry's data (the
 * server's own title and summary are fixed text with raw codes, for API clients).
 */
function SourceLine({ e, lang }: { e: TimelineEntry; lang: Lang }) {
  const { t } = useTranslation();
  let title = e.title;
  let summary: ReactNode = e.summary;
  let who = '';
  if (e.kind === 'order') {
    const o = e.data as { id?: number; external_id?: string | null; channel?: string; status?: string; currency?: string; amount_minor?: number };
    title = t('orders.timelineTitle', {
      ref: o.external_id ?? `#${o.id ?? e.id}`, amount: formatMoney(o.amount_minor ?? 0, o.currency ?? 'CNY'),
    });
    summary = `${enumLabel('orders.channels', o.channel, t)} · ${enumLabel('orders.statuses', o.status, t)}`;
  } else if (e.kind === 'complaint') {
    const c = e.data as { number?: string; event?: string; to_status?: string | null };
    title = t('service.timelineTitle', { number: c.number ?? '', event: enumLabel('service.eventKinds', c.event, t) });
    if (c.to_status) title += ` → ${enumLabel('service.statuses', c.to_status, t)}`;
    // A survey answer is the customer's; the server's own steps (escalation) are the system's.
    who = c.event === 'survey' ? t('service.customer') : actorLabel(null, e.actor, t);
  }
  return (
    <div>
      <Typography.Text strong>{title}</Typography.Text>{' '}
      <Typography.Text type="secondary">
        {formatTimestamp(e.occurred_at, lang)}
        {who ? ` · ${t('c360.by', { name: who })}` : ''}
      </Typography.Text>
      {summary && <div style={{ whiteSpace: 'pre-wrap' }}>{summary}</div>}
    </div>
  );
}

export interface AuditData {
  id: number;
  action: string;
  actor_id: number | null;
  actor_name: string;
  changes: { field: string; before: unknown; after: unknown }[];
}

export default function TimelineFeed({
  customerId, lang, renderAudit, extra,
}: {
  customerId: number;
  lang: Lang;
  /** Renders an audit entry's change list (the customer page knows the field labels). */
  renderAudit: (a: AuditData) => ReactNode;
  extra?: ReactNode;
}) {
  const { t } = useTranslation();
  const feed = useTimeline(customerId);
  const items = feed.data?.pages.flatMap((p) => p.items) ?? [];
  const color: Record<string, string> = { create: 'green', update: 'blue', delete: 'red', merge: 'purple', erase: 'gray' };
  return (
    <Card title={t('c360.timeline')} extra={extra} data-testid="timeline-feed">
      {feed.isPending ? (
        <Spin />
      ) : feed.error ? (
        <Alert type="error" message={feed.error.message} />
      ) : items.length === 0 ? (
        <Empty description={t('c360.noHistory')} />
      ) : (
        <>
          <Timeline
            items={items.map((e) => ({
              key: `${e.kind}-${e.id}`,
              dot: entryIcon(e),
              color: e.kind === 'audit' ? color[(e.data as { action?: string }).action ?? ''] ?? 'gray' : 'blue',
              children: (
                <div data-testid={`timeline-${e.kind}`} data-id={e.id}>
                  {e.kind === 'interaction' ? (
                    <InteractionLine i={e.data as unknown as Interaction} lang={lang} />
                  ) : e.kind === 'audit' ? (
                    <div>
                      <Typography.Text strong>
                        {enumLabel('c360.actions', e.title, t)}
                      </Typography.Text>{' '}
                      <Typography.Text type="secondary">
                        {formatTimestamp(e.occurred_at, lang)} · {t('c360.by', { name: actorLabel((e.data as unknown as AuditData).actor_id, e.actor, t) || '—' })}
                      </Typography.Text>
                      {renderAudit(e.data as unknown as AuditData)}
                    </div>
                  ) : (
                    <SourceLine e={e} lang={lang} />
                  )}
                </div>
              ),
            }))}
          />
          {feed.hasNextPage && (
            <Button data-testid="timeline-more" loading={feed.isFetchingNextPage} onClick={() => feed.fetchNextPage()}>
              {t('interactions.loadMore')}
            </Button>
          )}
        </>
      )}
    </Card>
  );
}
