// The screen pop: the caller's customer card and last interactions, or quick-create for an
// unknown number (the phone prefilled).
import { useState } from 'react';
import { Alert, Button, Descriptions, Drawer, Empty, Form, Input, List, Space, Tag, Typography } from 'antd';
import { CrownOutlined } from '@ant-design/icons';
import { useNavigate } from 'react-router-dom';
import { useMutation } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, ApiError } from '../../api/client';
import type { Customer } from '../../api/types';
import { applyFieldErrors } from '../../components/applyErrors';
import { useLang } from '../../App';
import { formatMoney, formatPhone } from '../../lib/format';
import { InteractionLine } from './TimelineFeed';
import type { Interaction, ScreenPop } from './api';
import { enumLabel } from '../../components/labels';

function QuickCreate({ phone, onDone }: { phone: string; onDone: (id: number) => void }) {
  const { t } = useTranslation();
  const [form] = Form.useForm<{ name: string; phones: string[] }>();
  const [unplaced, setUnplaced] = useState<string[]>([]);
  const create = useMutation({
    mutationFn: (v: { name: string; phones: string[] }) => api.post<Customer>('/customers', v),
    onSuccess: (c) => onDone(c.id),
    onError: (e) => setUnplaced(e instanceof ApiError ? applyFieldErrors(form, e) : [String(e)]),
  });
  return (
    <div data-testid="pop-quick-create">
      <Typography.Paragraph>{t('pop.unknown')}</Typography.Paragraph>
      {unplaced.length > 0 && <Alert type="error" message={unplaced.join('; ')} style={{ marginBottom: 12 }} />}
      <Form form={form} layout="vertical" initialValues={{ name: '', phones: [phone] }} onFinish={(v) => create.mutate(v)}>
        <Form.Item name="name" label={t('customer.name')}>
          <Input data-testid="pop-new-name" />
        </Form.Item>
        <Form.Item name={['phones', 0]} label={t('customer.phones')}>
          <Input data-testid="pop-new-phone" />
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={create.isPending} data-testid="pop-create">
          {t('pop.create')}
        </Button>
      </Form>
    </div>
  );
}

export default function ScreenPopDrawer({ pop, onClose }: { pop: ScreenPop; onClose: () => void }) {
  const { t } = useTranslation();
  const lang = useLang();
  const navigate = useNavigate();
  const c = pop.customer;
  const category = c ? (lang === 'zh-CN' ? c.category_name_zh : c.category_name_en) ?? c.category : '';
  return (
    <Drawer
      open
      width={440}
      onClose={onClose}
      title={
        <Space>
          {t('pop.title')}
          <Typography.Text type="secondary">{formatPhone(pop.phone)}</Typography.Text>
        </Space>
      }
      data-testid="screen-pop"
    >
      {c ? (
        <Space direction="vertical" style={{ width: '100%' }}>
          <Typography.Title level={4} style={{ margin: 0 }} data-testid="pop-customer-name">
            {c.name} {c.vip && <Tag icon={<CrownOutlined />} color="gold">VIP</Tag>}
          </Typography.Title>
          <Descriptions size="small" column={1} bordered>
            <Descriptions.Item label={t('customer.category')}>{category}</Descriptions.Item>
            <Descriptions.Item label={t('customer.relationship_level')}>
              {enumLabel('customer.levels', c.relationship_level, t)}
            </Descriptions.Item>
            <Descriptions.Item label={t('pop.owner')}>{c.owner?.display_name ?? '—'}</Descriptions.Item>
          </Descriptions>
          <PopSections sections={pop.sections as Record<string, unknown>} />
          <Button type="primary" data-testid="pop-open-customer" onClick={() => { navigate(`/customers/${c.id}`); onClose(); }}>
            {t('pop.open')}
          </Button>
          <Typography.Title level={5}>{t('pop.recent')}</Typography.Title>
          {pop.recent_interactions.length === 0 ? (
            <Empty description={t('c360.noHistory')} />
          ) : (
            <List
              data-testid="pop-recent"
              dataSource={pop.recent_interactions as Interaction[]}
              renderItem={(i) => (
                <List.Item>
                  <InteractionLine i={i} lang={lang} />
                </List.Item>
              )}
            />
          )}
        </Space>
      ) : (
        <QuickCreate phone={pop.phone} onDone={(id) => { navigate(`/customers/${id}`); onClose(); }} />
      )}
    </Drawer>
  );
}

type ValueBadge = { segment?: string; segment_zh?: string; abc_class?: string; clv_minor?: number; churn_risk?: number; at_risk?: boolean };
type OpenComplaints = { open_count?: number; open?: { id: number; number: string; status: string; severity: number }[] };

/** Sections other capabilities add to the pop: the value badge and the open complaints. */
function PopSections({ sections }: { sections: Record<string, unknown> }) {
  const { t, i18n } = useTranslation();
  const value = (sections?.value ?? {}) as ValueBadge;
  const complaints = (sections?.complaints ?? {}) as OpenComplaints;
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      {value.segment && (
        <Space wrap data-testid="pop-value">
          <Tag color="blue">{i18n.language === 'zh-CN' && value.segment_zh ? value.segment_zh : value.segment}</Tag>
          {value.abc_class && <Tag color={value.abc_class === 'A' ? 'gold' : 'default'}>{t('pop.abc', { c: value.abc_class })}</Tag>}
          {value.clv_minor !== undefined && <Tag>{t('pop.clv')}: {formatMoney(value.clv_minor)}</Tag>}
          {value.churn_risk !== undefined && <Tag color={value.churn_risk > 0.5 ? 'red' : 'default'}>{t('pop.risk')}: {Math.round(value.churn_risk * 100)}%</Tag>}
          {value.at_risk && <Tag color="red">{t('pop.atRisk')}</Tag>}
        </Space>
      )}
      {(complaints.open_count ?? 0) > 0 && (
        <Alert
          type="warning"
          showIcon
          data-testid="pop-complaints"
          message={t('pop.openComplaints', { n: complaints.open_count })}
          description={(complaints.open ?? []).map((c) => `${c.number} · ${enumLabel('service.statuses', c.status, t)} · S${c.severity}`).join('\n')}
        />
      )}
    </Space>
  );
}
