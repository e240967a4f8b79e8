// The live SLA clock: counts down in business time (the org calendar) from the complaint's SLA
// figures, ticking every second without asking the server.
import { useEffect, useState } from 'react';
import { Space, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import type { Complaint } from '../api/service';
import { businessMillis, formatDuration, type BusinessCalendar } from '../lib/businessTime';
import { useLang } from '../App';

export default function SlaClock({ complaint, calendar, fetchedAt, compact }: {
  complaint: Complaint; calendar?: BusinessCalendar; fetchedAt: number; compact?: boolean;
}) {
  const { t } = useTranslation();
  const lang = useLang();
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    if (!complaint.sla.running) return undefined;
    const id = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(id);
  }, [complaint.sla.running]);
  const sla = complaint.sla;
  const elapsed = sla.elapsed_ms + (sla.running && calendar ? businessMillis(calendar, fetchedAt, now) : 0);
  const responding = !complaint.first_response_at && sla.response_target_ms > 0;
  const target = responding ? sla.response_target_ms : sla.resolution_target_ms;
  const open = complaint.status !== 'resolved' && complaint.status !== 'closed';
  if (!open) {
    return <Tag color={sla.resolution_breached ? 'red' : 'green'} data-testid="sla-badge">
      {sla.resolution_breached ? t('service.breached') : t('service.onTrack')}
    </Tag>;
  }
  if (!sla.running) return <Tag color="default" data-testid="sla-badge">{t('service.paused')}</Tag>;
  if (target <= 0) return <Tag data-testid="sla-badge">—</Tag>;
  const left = target - elapsed;
  const color = left < 0 ? 'red' : elapsed >= 0.75 * target ? 'orange' : 'green';
  const label = left < 0 ? t('service.overdue') : responding ? t('service.responseDue') : t('service.resolutionDue');
  return (
    <Space size={4} data-testid="sla-clock">
      <Tag color={color} data-testid="sla-badge">{label} {formatDuration(left, lang)}</Tag>
      {!compact && <Typography.Text type="secondary">({t('service.businessTime')})</Typography.Text>}
    </Space>
  );
}
