// One complaint: the live SLA clock, its history and escalations, status buttons (only the
// allowed transitions), notes, and the resolution form.
import { useState } from 'react';
import { Link, useParams } from 'react-router-dom';
import {
  Alert, App, Button, Card, Checkbox, Col, Descriptions, Form, Input, InputNumber, Result, Row, Space, Spin, Tag,
  Timeline, Typography,
} from 'antd';
import { useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { ApiError, api } from '../../api/client';
import {
  put, toBusinessCalendar, useCalendar, useComplaint, useComplaintCategories, useComplaintEvents,
  type Complaint,
} from '../../api/service';
import SlaClock from '../../components/SlaClock';
import { formatTimestamp } from '../../lib/format';
import { useLang } from '../../App';
import { enumLabel } from '../../components/labels';

export default function ComplaintDetailPage() {
  const { t } = useTranslation();
  const lang = useLang();
  const { message } = App.useApp();
  const id = Number(useParams().id);
  const qc = useQueryClient();
  const c = useComplaint(id);
  const events = useComplaintEvents(id);
  const cal = useCalendar(0);
  const cats = useComplaintCategories();
  const [note, setNote] = useState('');
  const [toCustomer, setToCustomer] = useState(false);
  const [busy, setBusy] = useState(false);
  const [form] = Form.useForm();

  if (c.isLoading) return <Spin />;
  if (c.error || !c.data) return <Result status="404" title={(c.error as ApiError | null)?.problem?.title ?? '404'} />;
  const k: Complaint = c.data;
  const refresh = async () => {
    await qc.invalidateQueries({ queryKey: ['complaints'] });
  };
  const act = async (fn: () => Promise<unknown>) => {
    setBusy(true);
    try {
      await fn();
      await refresh();
    } catch (e) {
      message.error(e instanceof ApiError ? (e.problem.detail || e.problem.title) : String(e));
    } finally {
      setBusy(false);
    }
  };
  const category = cats.data?.items.find((x) => x.key === k.category);
  const escalations = (events.data?.items ?? []).filter((e) => e.kind === 'escalation');
  return (
    <Space direction="vertical" style={{ width: '100%' }} size="large">
      <Card
        title={<Space><span data-testid="complaint-number">{k.number}</span>
          <Tag color="blue" data-testid="complaint-status">{enumLabel('service.statuses', k.status, t)}</Tag></Space>}
        extra={<SlaClock complaint={k} calendar={cal.data ? toBusinessCalendar(cal.data) : undefined} fetchedAt={c.dataUpdatedAt} />}
      >
        <Descriptions column={2} size="small">
          <Descriptions.Item label={t('service.customer')}><Link to={`/customers/${k.customer_id}`}>{k.customer_name || `#${k.customer_id}`}</Link></Descriptions.Item>
          <Descriptions.Item label={t('service.channel')}>{enumLabel('service.channels', k.channel, t)}</Descriptions.Item>
          <Descriptions.Item label={t('service.category')}>{category ? (lang === 'zh-CN' ? category.name_zh : category.name_en) : k.category}</Descriptions.Item>
          <Descriptions.Item label={t('service.severity')}>{enumLabel('service.severities', k.severity, t)}</Descriptions.Item>
          <Descriptions.Item label={t('service.priority')}>{k.priority}</Descriptions.Item>
          <Descriptions.Item label={t('service.valuePercentile')}>
            {k.value_percentile == null ? '—' : `${Math.round(k.value_percentile * 100)}%`}
          </Descriptions.Item>
          <Descriptions.Item label={t('service.created')}>{formatTimestamp(k.created_at, lang)}</Descriptions.Item>
          <Descriptions.Item label={t('service.description')} span={2}>{k.description}</Descriptions.Item>
        </Descriptions>
        <Space wrap style={{ marginTop: 12 }} data-testid="transition-buttons">
          {k.allowed_transitions.map((s) => (
            <Button key={s} disabled={busy} data-testid={`to-${s}`}
              onClick={() => act(() => api.post(`/complaints/${k.id}/transition`, { to: s }))}>
              {t('service.moveTo')} {enumLabel('service.statuses', s, t)}
            </Button>
          ))}
        </Space>
        {k.survey_url && (
          <Alert style={{ marginTop: 12 }} type="info" message={t('service.surveyLink')}
            description={<a href={k.survey_url} data-testid="survey-link">{window.location.origin + k.survey_url}</a>} />
        )}
        {k.survey.answered_at && (
          <Alert style={{ marginTop: 12 }} type="success" data-testid="survey-answer"
            message={t('service.surveyAnswer')}
            description={`CSAT ${k.survey.csat} · NPS ${k.survey.nps}${k.survey.comment ? ' · ' + k.survey.comment : ''}`} />
        )}
      </Card>
      <Row gutter={16}>
        <Col xs={24} lg={12}>
          <Card title={t('service.events')} data-testid="complaint-events">
            <Timeline
              items={(events.data?.items ?? []).map((e) => ({
                color: e.kind === 'escalation' ? 'red' : e.kind === 'survey' ? 'green' : 'blue',
                children: (
                  <div data-testid={`event-${e.kind}`}>
                    <Typography.Text strong>{enumLabel('service.eventKinds', e.kind, t)}</Typography.Text>{' '}
                    {e.to_status && <Tag>{enumLabel('service.statuses', e.to_status, t)}</Tag>}
                    <div>{e.body}</div>
                    <Typography.Text type="secondary">
                      {/* Events of no user: the customer's survey answer, the escalation job's steps. */}
                      {formatTimestamp(e.at, lang)} ·{' '}
                      {e.actor_id != null ? e.actor_name : e.kind === 'survey' ? t('service.customer') : t('common.system')}
                    </Typography.Text>
                  </div>
                ),
              }))}
            />
            {escalations.length > 0 && (
              <Typography.Text type="danger" data-testid="escalation-count">
                {t('service.escalations')}: {escalations.length}
              </Typography.Text>
            )}
            <Space.Compact style={{ width: '100%', marginTop: 12 }}>
              <Input value={note} onChange={(e) => setNote(e.target.value)} placeholder={t('service.note')} />
              <Button disabled={busy || !note.trim()}
                onClick={() => act(async () => {
                  await api.post(`/complaints/${k.id}/notes`, { body: note, to_customer: toCustomer });
                  setNote('');
                })}>{t('service.addNote')}</Button>
            </Space.Compact>
            <Checkbox checked={toCustomer} onChange={(e) => setToCustomer(e.target.checked)}>{t('service.toCustomer')}</Checkbox>
          </Card>
        </Col>
        <Col xs={24} lg={12}>
          <Card title={t('service.resolution')}>
            {k.resolution.reward_status === 'pending_loyalty' && <Alert type="warning" message={t('service.rewardPending')} style={{ marginBottom: 12 }} />}
            <Form form={form} layout="vertical"
              initialValues={{
                root_cause: k.resolution.root_cause, note: k.resolution.note,
                compensation: k.resolution.compensation_minor != null ? k.resolution.compensation_minor / 100 : null,
                compensation_text: k.resolution.compensation_text, reward: false,
              }}
              onFinish={(v) => act(() => put(`/complaints/${k.id}/resolution`, {
                root_cause: v.root_cause ?? '', note: v.note ?? '', compensation_text: v.compensation_text ?? '',
                compensation_minor: v.compensation == null ? null : Math.round(Number(v.compensation) * 100),
                compensation_currency: 'CNY', reward: !!v.reward,
              }))}>
              <Form.Item name="root_cause" label={t('service.rootCause')}><Input /></Form.Item>
              <Form.Item name="note" label={t('service.resolutionNote')}><Input.TextArea rows={2} /></Form.Item>
              <Form.Item name="compensation" label={t('service.compensation')}><InputNumber min={0} step={1} style={{ width: '100%' }} /></Form.Item>
              <Form.Item name="compensation_text" label={t('service.compensationText')}><Input /></Form.Item>
              <Form.Item name="reward" valuePropName="checked"><Checkbox>{t('service.reward')}</Checkbox></Form.Item>
              <Button type="primary" htmlType="submit" disabled={busy}>{t('common.save')}</Button>
            </Form>
          </Card>
        </Col>
      </Row>
    </Space>
  );
}
