// Kotler relationship levels: the 3x3 matrix and, per customer category, the recommended level
// beside the levels recorded on its customers.
import { Card, Space, Table, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { formatMinor, formatShare, useRelationshipLevels } from '../../api/analytics';
import { useCategories } from '../../api/hooks';
import { categoryLabel, enumLabel } from '../../components/labels';
import { useLang } from '../../App';
import { RunHeader, ViewState } from './common';

const SIZES = ['many', 'medium', 'few'] as const;
const MARGINS = ['high', 'medium', 'low'] as const;

export default function RelationshipPage() {
  const { t } = useTranslation();
  const lang = useLang();
  const q = useRelationshipLevels();
  const categories = useCategories().data?.items;
  const level = (size: string, margin: string) =>
    q.data?.matrix.find((m) => m.customers === size && m.margin === margin)?.level ?? '';
  return (
    <Space direction="vertical" style={{ width: '100%' }} size="large">
      <Typography.Title level={3}>{t('analytics.levels.title')}</Typography.Title>
      <ViewState query={q}>
        {() => (
          <>
            <RunHeader run={q.data} />
            <Card title={t('analytics.levels.matrix')}>
              <Table
                size="small"
                rowKey="size"
                pagination={false}
                data-testid="kotler-matrix"
                dataSource={SIZES.map((size) => ({ size }))}
                columns={[
                  { title: t('analytics.levels.customersMargin'), render: (_, r) => enumLabel('analytics.levels.size', r.size, t) },
                  ...MARGINS.map((m) => ({
                    title: enumLabel('analytics.levels.margin', m, t),
                    render: (_: unknown, r: { size: string }) => enumLabel('customer.levels', level(r.size, m), t),
                  })),
                ]}
              />
            </Card>
            <Card title={t('analytics.levels.segments')}>
              <Table
                size="small"
                rowKey="segment"
                pagination={false}
                dataSource={q.data?.segments ?? []}
                columns={[
                  { title: t('analytics.levels.segment'), render: (_, s) => categoryLabel(s.segment ?? '', categories, lang) },
                  { title: t('analytics.customers'), render: (_, s) => `${s.customers} (${formatShare(s.share)})` },
                  { title: t('analytics.levels.marginPerCustomer'), render: (_, s) => `¥${formatMinor(s.margin_per_customer_minor)}` },
                  {
                    title: t('analytics.levels.classes'),
                    render: (_, s) => `${enumLabel('analytics.levels.size', s.size_class, t)} × ${enumLabel('analytics.levels.margin', s.margin_class, t)}`,
                  },
                  { title: t('analytics.levels.recommended'), render: (_, s) => <Tag color="blue">{enumLabel('customer.levels', s.recommended, t)}</Tag> },
                  {
                    title: t('analytics.levels.recorded'),
                    render: (_, s) => Object.entries(s.recorded ?? {}).map(([lvl, n]) => (
                      <Tag key={lvl} color={lvl === s.recommended ? 'green' : undefined}>{enumLabel('customer.levels', lvl, t)} {n}</Tag>
                    )),
                  },
                ]}
              />
            </Card>
          </>
        )}
      </ViewState>
    </Space>
  );
}
