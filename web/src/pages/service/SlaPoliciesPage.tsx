// SLA policy admin: targets in business minutes by severity x customer category x VIP.
import { useEffect, useState } from 'react';
import { App, Button, Card, InputNumber, Select, Space, Switch, Table } from 'antd';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { ApiError, api } from '../../api/client';
import { put, serviceKeys, type SlaPolicy } from '../../api/service';
import { useCategories } from '../../api/hooks';
import { categoryLabel, enumLabel } from '../../components/labels';
import { useLang } from '../../App';

export default function SlaPoliciesPage() {
  const { t } = useTranslation();
  const lang = useLang();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const q = useQuery({
    queryKey: serviceKeys.policies,
    queryFn: ({ signal }) => api.get<{ items: SlaPolicy[] }>('/service/sla-policies', undefined, signal),
  });
  const cats = useCategories().data?.items;
  const [rows, setRows] = useState<SlaPolicy[]>([]);
  useEffect(() => setRows(q.data?.items ?? []), [q.data]);
  const set = (i: number, patch: Partial<SlaPolicy>) => setRows(rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  const save = async () => {
    try {
      await put('/service/sla-policies', { items: rows });
      await qc.invalidateQueries({ queryKey: serviceKeys.policies });
      message.success(t('common.save'));
    } catch (e) {
      message.error(e instanceof ApiError ? Object.entries(e.fieldErrors).map(([f, m]) => `${f}: ${m}`).join('; ') || e.problem.title : String(e));
    }
  };
  return (
    <Card title={t('service.slaPolicies')} extra={<Space>
      <Button onClick={() => setRows([...rows, { severity: 3, customer_category: '*', vip: false, response_minutes: 240, resolution_minutes: 1620 }])}>
        {t('service.policy.add')}</Button>
      <Button type="primary" onClick={save} data-testid="save-policies">{t('common.save')}</Button></Space>}>
      <Table<SlaPolicy & { i: number }>
        rowKey="i"
        size="small"
        pagination={false}
        loading={q.isLoading}
        dataSource={rows.map((r, i) => ({ ...r, i }))}
        columns={[
          { title: t('service.severity'), render: (_, r) => (
            <Select value={r.severity} style={{ width: 120 }} onChange={(v) => set(r.i, { severity: v })}
              options={[1, 2, 3, 4].map((s) => ({ value: s, label: enumLabel('service.severities', s, t) }))} />) },
          { title: t('service.policy.customerCategory'), render: (_, r) => (
            <Select value={r.customer_category} style={{ width: 160 }} onChange={(v) => set(r.i, { customer_category: v })}
              options={[{ value: '*', label: t('service.policy.any') },
                ...(cats ?? []).map((c) => ({ value: c.key, label: categoryLabel(c.key, cats, lang) }))]} />) },
          { title: t('service.policy.vip'), render: (_, r) => <Switch checked={r.vip} onChange={(v) => set(r.i, { vip: v })} /> },
          { title: t('service.policy.responseMinutes'), render: (_, r) => (
            <InputNumber min={1} value={r.response_minutes} onChange={(v) => set(r.i, { response_minutes: Number(v) })} />) },
          { title: t('service.policy.resolutionMinutes'), render: (_, r) => (
            <InputNumber min={1} value={r.resolution_minutes} onChange={(v) => set(r.i, { resolution_minutes: Number(v) })} />) },
          { title: '', render: (_, r) => <Button danger size="small" onClick={() => setRows(rows.filter((_, j) => j !== r.i))}>{t('common.delete')}</Button> },
        ]}
      />
    </Card>
  );
}
