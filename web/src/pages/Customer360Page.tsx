// The customer 360° page: profile (with optimistic-concurrency editing), contacts, consent,
// duplicates and merge, the audit trail, and the timeline (every source's feed, merged on the server).
import { useEffect, useState } from 'react';
import { lazy, Suspense } from 'react';
import { useNavigate, useParams } from 'react-router-dom';
import {
  Alert, App, Button, Card, Descriptions, Empty, Form, Input, List, Modal, Popconfirm, Result, Select,
  Space, Spin, Table, Tabs, Tag, Typography,
} from 'antd';
import { useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { ApiError, api } from '../api/client';
import {
  keys, useAudit, useCategories, useContacts, useCustomFields, useCustomer, useDuplicates, useUsers,
} from '../api/hooks';
import {
  CONSENT_CHANNELS, CONTACT_ROLES, type AuditEntry, type Contact, type ContactInput, type Customer,
  type CustomerPatch,
} from '../api/types';
import { formatDate, formatPersonName, formatPhone, formatTimestamp } from '../lib/format';
import { actorLabel, categoryLabel, enumLabel, userLabel } from '../components/labels';
import CustomerFields from '../components/CustomerFields';
import {
  diffPatch, fromFormValues, toFormValues, type CustomerFormValues,
} from '../components/customerForm';
import { applyFieldErrors } from '../components/applyErrors';
import { useAuth } from '../auth';
import { useLang } from '../App';
import { RecordChurnButton } from '../components/RecordChurnButton';

const OrdersTab = lazy(() => import('./OrdersTab'));
import TimelineFeed from '../features/interactions/TimelineFeed';
import LogInteractionModal from '../features/interactions/LogInteractionModal';

// The value panel brings ECharts: loaded after the page itself.
const ValuePanel = lazy(() => import('../components/ValuePanel'));
import CustomerComplaints from '../components/CustomerComplaints';

function show(v: unknown): string {
  if (v === null || v === undefined || v === '') return '—';
  if (Array.isArray(v)) return v.length ? v.map(show).join(', ') : '—';
  if (typeof v === 'object') {
    const parts = Object.values(v as Record<string, unknown>).filter((x) => x !== '' && x != null);
    return parts.length ? parts.map(show).join(' ') : '—';
  }
  if (typeof v === 'boolean') return v ? '✓' : '✗';
  return String(v);
}

/** Shows an audit or conflict value in the user's language where the field is an enum or id. */
function useFieldValue() {
  const { t } = useTranslation();
  const lang = useLang();
  const users = useUsers().data?.items;
  const categories = useCategories().data?.items;
  return (field: string, v: unknown): string => {
    if (v === null || v === undefined || v === '') return '—';
    const enums: Record<string, string> = {
      kind: 'customer.kinds', gender: 'customer.genders', lifecycle_stage: 'customer.stages',
      relationship_level: 'customer.levels', role: 'c360.roles',
    };
    if (typeof v === 'string' && enums[field]) return enumLabel(enums[field], v, t);
    if (field === 'category' && typeof v === 'string') return categoryLabel(v, categories, lang);
    if (field === 'owner_id' && typeof v === 'number') return userLabel(v, users);
    if (field === 'shared_with' && Array.isArray(v)) return v.map((u) => userLabel(Number(u), users)).join(', ') || '—';
    if (field === 'birthday' && typeof v === 'string') return formatDate(v, lang);
    if (field === 'phones' && Array.isArray(v)) return v.map((p) => formatPhone(String(p))).join(', ') || '—';
    if (field === 'consents' && Array.isArray(v)) {
      return v
        .map((x) => {
          const c = x as { channel?: string; granted?: boolean };
          return `${enumLabel('c360.channels', c.channel, t)} ${c.granted ? '✓' : '✗'}`;
        })
        .join(', ') || '—';
    }
    return show(v);
  };
}

function useFieldLabel() {
  const { t } = useTranslation();
  return (f: string) => {
    // Fields outside the customer form's labels: the consent list and a contact's title and role.
    const other: Record<string, string> = {
      owner_id: 'customer.owner', consents: 'c360.consents', title: 'c360.contactTitle', role: 'c360.contactRole',
    };
    const k = other[f] ?? `customer.${f}`;
    const s = t(k);
    return s === k ? f : s;
  };
}

export default function Customer360Page() {
  const { id: idParam } = useParams();
  const id = Number(idParam);
  const navigate = useNavigate();
  const { t } = useTranslation();
  const { message } = App.useApp();
  const customer = useCustomer(id);

  // GET follows the 301 of a merged customer; show the survivor under its own URL.
  useEffect(() => {
    const c = customer.data;
    if (c && c.id !== id) {
      message.info(t('c360.mergedRedirect', { id: c.id }));
      navigate(`/customers/${c.id}`, { replace: true });
    }
  }, [customer.data, id, navigate, message, t]);

  if (customer.isPending) return <Spin />;
  if (customer.error) {
    const e = customer.error;
    return (
      <Result
        status={e instanceof ApiError && e.status === 404 ? '404' : 'error'}
        title={e instanceof ApiError && e.status === 404 ? t('common.notFound') : t('common.error')}
        subTitle={e.message}
        extra={<Button onClick={() => navigate('/customers')}>{t('common.back')}</Button>}
      />
    );
  }
  const c = customer.data;
  if (c.id !== id) return <Spin />;
  return <CustomerView customer={c} />;
}

function CustomerView({ customer: c }: { customer: Customer }) {
  const { t } = useTranslation();
  const lang = useLang();
  const { user } = useAuth();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const categories = useCategories().data?.items;

  const remove = async () => {
    await api.del(`/customers/${c.id}`);
    message.success(t('customer.deleted'));
    void qc.invalidateQueries({ queryKey: keys.customers });
    navigate('/customers');
  };
  const erase = async () => {
    const r = await api.post<Customer>(`/customers/${c.id}/erase`);
    qc.setQueryData(keys.customer(c.id), r);
    void qc.invalidateQueries({ queryKey: keys.audit(c.id) });
    message.success(t('customer.erased'));
  };

  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }}>
      <div style={{ display: 'flex', justifyContent: 'space-between', alignItems: 'center' }}>
        <Space align="center" wrap>
          <Typography.Title level={3} style={{ margin: 0 }} data-testid="customer-title">
            {formatPersonName(c)}
          </Typography.Title>
          {c.vip && <Tag color="gold">VIP</Tag>}
          {c.category && <Tag color="blue">{categoryLabel(c.category, categories, lang)}</Tag>}
          <Tag>{enumLabel('customer.stages', c.lifecycle_stage, t)}</Tag>
          <Tag>{enumLabel('customer.levels', c.relationship_level, t)}</Tag>
          {c.tags.map((x) => <Tag key={x}>{x}</Tag>)}
        </Space>
        <Space>
          <RecordChurnButton customer={c} />
          <Popconfirm title={t('common.confirmDelete')} onConfirm={remove}>
            <Button danger>{t('common.delete')}</Button>
          </Popconfirm>
          {user?.role === 'admin' && (
            <Popconfirm title={t('customer.eraseConfirm')} onConfirm={erase}>
              <Button danger type="dashed">{t('customer.erase')}</Button>
            </Popconfirm>
          )}
        </Space>
      </div>
      <Suspense fallback={null}>
        <ValuePanel customerId={c.id} />
      </Suspense>
      <Tabs
        defaultActiveKey="profile"
        items={[
          { key: 'profile', label: t('c360.profile'), children: <ProfileTab customer={c} /> },
          { key: 'contacts', label: t('c360.contacts'), children: <ContactsTab customer={c} /> },
          { key: 'consents', label: t('c360.consents'), children: <ConsentTab customer={c} /> },
          { key: 'duplicates', label: t('c360.duplicates'), children: <DuplicatesTab customer={c} /> },
          { key: 'timeline', label: t('c360.timeline'), children: <TimelineTab customerId={c.id} /> },
          { key: 'orders', label: <span data-testid="tab-orders">{t('orders.tab')}</span>, children: <Suspense fallback={<Spin />}><OrdersTab customer={c} /></Suspense> },
          { key: 'audit', label: t('c360.audit'), children: <AuditTab customerId={c.id} /> },
          { key: 'complaints', label: t('service.complaints'), children: <CustomerComplaints customerId={c.id} /> },
        ]}
      />
    </Space>
  );
}

function ProfileTab({ customer: c }: { customer: Customer }) {
  const { t } = useTranslation();
  const lang = useLang();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const users = useUsers().data?.items;
  const categories = useCategories().data?.items;
  const defs = useCustomFields().data?.items ?? [];
  const [editing, setEditing] = useState(false);
  const [busy, setBusy] = useState(false);
  const [alert, setAlert] = useState<string | null>(null);
  // The customer as it was when editing began: the base of the diff and of If-Match.
  const [base, setBase] = useState<Customer>(c);
  const [conflict, setConflict] = useState<{ current: Customer; mine: CustomerPatch } | null>(null);
  const [form] = Form.useForm<CustomerFormValues>();

  const startEdit = () => {
    setBase(c);
    form.setFieldsValue(toFormValues(c));
    setAlert(null);
    setEditing(true);
  };

  const save = async (patch: CustomerPatch, version: number) => {
    setBusy(true);
    setAlert(null);
    try {
      const updated = await api.patch<Customer>(`/customers/${c.id}`, patch, version);
      qc.setQueryData(keys.customer(c.id), updated);
      void qc.invalidateQueries({ queryKey: keys.audit(c.id) });
      void qc.invalidateQueries({ queryKey: ['customers', 'list'] });
      message.success(t('common.saved'));
      setConflict(null);
      setEditing(false);
    } catch (e) {
      if (e instanceof ApiError && e.status === 412 && e.current) {
        setConflict({ current: e.current as unknown as Customer, mine: patch });
      } else if (e instanceof ApiError && (e.status === 400 || e.status === 422)) {
        const rest = applyFieldErrors(form, e);
        setAlert([t('c360.fixErrors'), ...rest].join(' '));
      } else {
        setAlert((e as Error).message);
      }
    } finally {
      setBusy(false);
    }
  };

  const onSave = async () => {
    const v = await form.validateFields();
    const patch = diffPatch(fromFormValues(toFormValues(base)), fromFormValues(v));
    if (Object.keys(patch).length === 0) {
      setEditing(false);
      return;
    }
    await save(patch, base.version);
  };

  if (editing) {
    return (
      <Card>
        {alert && <Alert type="error" showIcon message={alert} style={{ marginBottom: 16 }} data-testid="form-problem" />}
        <Form form={form} layout="vertical">
          <CustomerFields />
        </Form>
        <Space>
          <Button type="primary" loading={busy} onClick={onSave} data-testid="save-customer">{t('common.save')}</Button>
          <Button onClick={() => setEditing(false)}>{t('common.cancel')}</Button>
        </Space>
        {conflict && (
          <ConflictDialog
            base={base}
            current={conflict.current}
            mine={conflict.mine}
            busy={busy}
            onReload={() => {
              qc.setQueryData(keys.customer(c.id), conflict.current);
              setBase(conflict.current);
              form.setFieldsValue(toFormValues(conflict.current));
              setConflict(null);
              setEditing(false);
            }}
            onOverwrite={() => save(conflict.mine, conflict.current.version)}
            onCancel={() => setConflict(null)}
          />
        )}
      </Card>
    );
  }

  const address = [c.address.province, c.address.city, c.address.district, c.address.street].filter(Boolean).join(' ');
  return (
    <Card
      extra={<Button type="primary" onClick={startEdit} data-testid="edit-customer">{t('c360.editProfile')}</Button>}
      title={t('c360.profile')}
    >
      <Descriptions column={{ xs: 1, md: 2, xl: 3 }} size="small" bordered>
        <Descriptions.Item label={t('customer.name')}>{formatPersonName(c)}</Descriptions.Item>
        <Descriptions.Item label={t('customer.kind')}>{enumLabel('customer.kinds', c.kind, t)}</Descriptions.Item>
        {c.kind === 'person' && (
          <Descriptions.Item label={t('customer.gender')}>{enumLabel('customer.genders', c.gender, t)}</Descriptions.Item>
        )}
        <Descriptions.Item label={t('customer.phones')}>
          <span data-testid="customer-phones">{c.phones.map(formatPhone).join(', ') || '—'}</span>
        </Descriptions.Item>
        <Descriptions.Item label={t('customer.emails')}>{c.emails.join(', ') || '—'}</Descriptions.Item>
        <Descriptions.Item label={t('customer.birthday')}>
          {c.birthday ? `${formatDate(c.birthday, lang)}${c.birthday_lunar ? ` (${t('customer.birthday_lunar')})` : ''}` : '—'}
        </Descriptions.Item>
        <Descriptions.Item label={t('customer.category')}>{c.category ? categoryLabel(c.category, categories, lang) : '—'}</Descriptions.Item>
        <Descriptions.Item label={t('customer.owner')}>{userLabel(c.owner_id, users) || '—'}</Descriptions.Item>
        <Descriptions.Item label={t('customer.shared_with')}>
          {c.shared_with.map((u) => userLabel(u, users)).join(', ') || '—'}
        </Descriptions.Item>
        <Descriptions.Item label={t('customer.organization')}>{c.organization || '—'}</Descriptions.Item>
        <Descriptions.Item label={t('customer.source_channel')}>{c.source_channel || '—'}</Descriptions.Item>
        <Descriptions.Item label={t('customer.external_id')}>{c.external_id || '—'}</Descriptions.Item>
        <Descriptions.Item label={t('customer.address')} span={2}>{address || '—'}</Descriptions.Item>
        <Descriptions.Item label={t('customer.updated_at')}>
          {formatTimestamp(c.updated_at, lang)} · v{c.version}
        </Descriptions.Item>
        {defs.map((d) => (
          <Descriptions.Item key={d.key} label={d.label}>
            {d.type === 'date' && typeof c.custom_fields[d.key] === 'string'
              ? formatDate(c.custom_fields[d.key] as string, lang) || '—'
              : show(c.custom_fields[d.key])}
          </Descriptions.Item>
        ))}
        <Descriptions.Item label={t('customer.note')} span={3}>
          <span data-testid="customer-note" style={{ whiteSpace: 'pre-wrap' }}>{c.note || '—'}</span>
        </Descriptions.Item>
      </Descriptions>
    </Card>
  );
}

function ConflictDialog(props: {
  base: Customer; current: Customer; mine: CustomerPatch; busy: boolean;
  onReload: () => void; onOverwrite: () => void; onCancel: () => void;
}) {
  const { t } = useTranslation();
  const { base, current, mine } = props;
  const cur = current as unknown as Record<string, unknown>;
  const old = base as unknown as Record<string, unknown>;
  // Fields either side changed: mine (the patch) and theirs (current differs from my base).
  const skip = new Set(['version', 'updated_at', 'created_at', 'id']);
  const fields = Array.from(
    new Set([
      ...Object.keys(mine),
      ...Object.keys(cur).filter((k) => !skip.has(k) && JSON.stringify(cur[k]) !== JSON.stringify(old[k])),
    ]),
  );
  const value = useFieldValue();
  const label = useFieldLabel();
  const rows = fields.map((f) => ({
    field: f,
    theirs: value(f, cur[f]),
    mine: value(f, f in mine ? (mine as Record<string, unknown>)[f] : old[f]),
    differs: f in mine && JSON.stringify((mine as Record<string, unknown>)[f]) !== JSON.stringify(cur[f]),
  }));
  return (
    <Modal
      open
      title={t('c360.conflictTitle')}
      width={720}
      onCancel={props.onCancel}
      data-testid="conflict-dialog"
      footer={[
        <Button key="reload" onClick={props.onReload} data-testid="conflict-reload">{t('c360.reload')}</Button>,
        <Button key="overwrite" type="primary" danger loading={props.busy} onClick={props.onOverwrite} data-testid="conflict-overwrite">
          {t('c360.overwrite')}
        </Button>,
      ]}
    >
      <div data-testid="conflict-body">
        <Typography.Paragraph>
          {t('c360.conflictIntro', { version: current.version })}
        </Typography.Paragraph>
        <Table
          size="small"
          pagination={false}
          rowKey="field"
          dataSource={rows}
          columns={[
            { title: t('c360.conflictField'), dataIndex: 'field', render: (f: string) => label(f) },
            { title: t('c360.conflictTheirs'), dataIndex: 'theirs' },
            {
              title: t('c360.conflictMine'), dataIndex: 'mine',
              render: (v: string, r) => (r.differs ? <Typography.Text mark>{v}</Typography.Text> : v),
            },
          ]}
        />
      </div>
    </Modal>
  );
}

function ContactsTab({ customer: c }: { customer: Customer }) {
  const { t } = useTranslation();
  const lang = useLang();
  const qc = useQueryClient();
  const { message } = App.useApp();
  const contacts = useContacts(c.id);
  const [editing, setEditing] = useState<Contact | 'new' | null>(null);
  const [form] = Form.useForm<{ name: string; title?: string; role: Contact['role']; phones?: string; emails?: string; note?: string }>();
  const [alert, setAlert] = useState<string | null>(null);

  const open = (x: Contact | 'new') => {
    setAlert(null);
    form.resetFields();
    if (x !== 'new') {
      form.setFieldsValue({ ...x, phones: x.phones.join(', '), emails: x.emails.join(', ') });
    } else {
      form.setFieldsValue({ role: 'user' });
    }
    setEditing(x);
  };
  const split = (s?: string) => (s ?? '').split(/[,，;；\s]+/).map((x) => x.trim()).filter(Boolean);
  const submit = async () => {
    const v = await form.validateFields();
    const body: ContactInput = {
      name: v.name, title: v.title ?? '', role: v.role, phones: split(v.phones), emails: split(v.emails), note: v.note ?? '',
    };
    try {
      if (editing === 'new') await api.post<Contact>(`/customers/${c.id}/contacts`, body);
      else if (editing) await api.patch<Contact>(`/customers/${c.id}/contacts/${editing.id}`, body, editing.version);
      void qc.invalidateQueries({ queryKey: keys.contacts(c.id) });
      setEditing(null);
      message.success(t('common.saved'));
    } catch (e) {
      if (e instanceof ApiError && e.status === 412) {
        void qc.invalidateQueries({ queryKey: keys.contacts(c.id) });
        setAlert(t('c360.conflictTitle'));
      } else if (e instanceof ApiError) {
        // Contact phones are one comma-separated input, so phones[1] maps to "phones".
        const fields = Object.entries(e.fieldErrors).map(([f, m]) => ({ name: f.replace(/\[\d+\]$/, '') as 'name', errors: [m] }));
        form.setFields(fields);
        setAlert(e.message);
      } else setAlert((e as Error).message);
    }
  };

  return (
    <Card
      title={t('c360.contacts')}
      extra={<Button onClick={() => open('new')}>{t('c360.newContact')}</Button>}
    >
      <Table<Contact>
        rowKey="id"
        size="small"
        loading={contacts.isPending}
        dataSource={contacts.data?.items ?? []}
        pagination={false}
        locale={{ emptyText: t('c360.noContacts') }}
        columns={[
          { title: t('common.name'), dataIndex: 'name' },
          { title: t('c360.contactTitle'), dataIndex: 'title' },
          {
            title: t('c360.contactRole'), dataIndex: 'role',
            render: (r: Contact['role']) => <Tag color={r === 'decider' ? 'red' : r === 'buyer' ? 'green' : 'default'}>{enumLabel('c360.roles', r, t)}</Tag>,
          },
          { title: t('customer.phones'), render: (_, x) => x.phones.map(formatPhone).join(', ') },
          { title: t('customer.emails'), render: (_, x) => x.emails.join(', ') },
          { title: t('customer.created_at'), render: (_, x) => formatTimestamp(x.created_at, lang) },
          {
            title: t('common.actions'),
            render: (_, x) => (
              <Space>
                <a onClick={() => open(x)}>{t('common.edit')}</a>
                <Popconfirm
                  title={t('common.confirmDelete')}
                  onConfirm={async () => {
                    await api.del(`/customers/${c.id}/contacts/${x.id}`);
                    void qc.invalidateQueries({ queryKey: keys.contacts(c.id) });
                  }}
                >
                  <a>{t('common.delete')}</a>
                </Popconfirm>
              </Space>
            ),
          },
        ]}
      />
      <Modal
        open={editing !== null}
        title={editing === 'new' ? t('c360.newContact') : t('common.edit')}
        onCancel={() => setEditing(null)}
        onOk={submit}
      >
        {alert && <Alert type="error" message={alert} style={{ marginBottom: 12 }} />}
        <Form form={form} layout="vertical">
          <Form.Item name="name" label={t('common.name')} rules={[{ required: true, whitespace: true }]}><Input /></Form.Item>
          <Form.Item name="title" label={t('c360.contactTitle')}><Input /></Form.Item>
          <Form.Item name="role" label={t('c360.contactRole')} rules={[{ required: true }]}>
            <Select options={CONTACT_ROLES.map((r) => ({ value: r, label: enumLabel('c360.roles', r, t) }))} />
          </Form.Item>
          <Form.Item name="phones" label={t('customer.phones')}><Input placeholder="138 1234 5678, 021 5555 1234" /></Form.Item>
          <Form.Item name="emails" label={t('customer.emails')}><Input /></Form.Item>
          <Form.Item name="note" label={t('customer.note')}><Input.TextArea rows={2} /></Form.Item>
        </Form>
      </Modal>
    </Card>
  );
}

function ConsentTab({ customer: c }: { customer: Customer }) {
  const { t } = useTranslation();
  const lang = useLang();
  const qc = useQueryClient();
  const { message } = App.useApp();
  // The newest record per channel decides; older ones stay as history.
  const latest = new Map<string, Customer['consents'][number]>();
  for (const x of [...c.consents].sort((a, b) => a.at.localeCompare(b.at))) latest.set(x.channel, x);

  const record = async (channel: (typeof CONSENT_CHANNELS)[number], granted: boolean) => {
    try {
      const consents = [
        ...c.consents,
        { channel, granted, at: new Date().toISOString(), source: 'kehu_web' },
      ];
      const r = await api.patch<Customer>(`/customers/${c.id}`, { consents }, c.version);
      qc.setQueryData(keys.customer(c.id), r);
      void qc.invalidateQueries({ queryKey: keys.audit(c.id) });
    } catch (e) {
      if (e instanceof ApiError && e.status === 412) {
        void qc.invalidateQueries({ queryKey: keys.customer(c.id) });
        message.warning(t('c360.conflictTitle'));
      } else message.error((e as Error).message);
    }
  };

  return (
    <Card title={t('c360.consents')}>
      <Table
        rowKey="channel"
        size="small"
        pagination={false}
        dataSource={CONSENT_CHANNELS.map((ch) => ({ channel: ch, consent: latest.get(ch) }))}
        columns={[
          { title: t('c360.channel'), dataIndex: 'channel', render: (ch: string) => enumLabel('c360.channels', ch, t) },
          {
            title: t('c360.granted'),
            render: (_, r) =>
              r.consent ? (
                r.consent.granted ? <Tag color="green">{t('common.yes')}</Tag> : <Tag color="red">{t('common.no')}</Tag>
              ) : (
                <Typography.Text type="secondary">{t('c360.noConsent')}</Typography.Text>
              ),
          },
          { title: t('c360.at'), render: (_, r) => (r.consent ? formatTimestamp(r.consent.at, lang) : '') },
          { title: t('c360.source'), render: (_, r) => r.consent?.source ?? '' },
          {
            title: t('common.actions'),
            render: (_, r) =>
              r.consent?.granted ? (
                <Button size="small" onClick={() => record(r.channel, false)}>{t('c360.revoke')}</Button>
              ) : (
                <Button size="small" onClick={() => record(r.channel, true)}>{t('c360.grant')}</Button>
              ),
          },
        ]}
      />
    </Card>
  );
}

function DuplicatesTab({ customer: c }: { customer: Customer }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const { message } = App.useApp();
  const dups = useDuplicates(c.id);
  const value = useFieldValue();
  const [merging, setMerging] = useState<Customer | null>(null);
  const [busy, setBusy] = useState(false);

  const merge = async () => {
    if (!merging) return;
    setBusy(true);
    try {
      const r = await api.post<Customer>(`/customers/${c.id}/merge`, { from_id: merging.id });
      qc.setQueryData(keys.customer(c.id), r);
      void qc.invalidateQueries({ queryKey: keys.duplicates(c.id) });
      void qc.invalidateQueries({ queryKey: keys.audit(c.id) });
      void qc.invalidateQueries({ queryKey: ['customers', 'list'] });
      message.success(t('c360.mergeDone'));
      setMerging(null);
    } catch (e) {
      message.error((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  if (dups.isPending) return <Spin />;
  if (dups.error) return <Alert type="error" message={dups.error.message} />;
  return (
    <Card title={t('c360.duplicates')}>
      {dups.data.items.length === 0 ? (
        <Empty description={t('c360.noDuplicates')} />
      ) : (
        <List
          dataSource={dups.data.items}
          renderItem={(d) => (
            <List.Item
              actions={[<Button key="m" onClick={() => setMerging(d.customer)}>{t('c360.merge')}</Button>]}
            >
              <List.Item.Meta
                title={<a href={`/customers/${d.customer.id}`}>{formatPersonName(d.customer)} #{d.customer.id}</a>}
                description={
                  <Space wrap>
                    {d.reasons.map((r) => <Tag key={r} color="orange">{enumLabel('c360.reasons', r, t)}</Tag>)}
                    <span>{d.customer.phones.map(formatPhone).join(', ')}</span>
                    <span>{d.customer.emails.join(', ')}</span>
                  </Space>
                }
              />
            </List.Item>
          )}
        />
      )}
      <Modal
        open={!!merging}
        title={t('c360.mergeTitle')}
        onCancel={() => setMerging(null)}
        onOk={merge}
        okButtonProps={{ danger: true, loading: busy }}
        width={720}
      >
        {merging && (
          <>
            <Typography.Paragraph>
              {t('c360.mergeExplain', {
                from: formatPersonName(merging), fromId: merging.id, into: formatPersonName(c), intoId: c.id,
              })}
            </Typography.Paragraph>
            <Table
              size="small"
              pagination={false}
              rowKey="f"
              dataSource={(['name', 'phones', 'emails', 'organization', 'category', 'lifecycle_stage', 'tags', 'note'] as const).map((f) => ({
                f, keep: value(f, c[f]), from: value(f, merging[f]),
              }))}
              columns={[
                { title: t('c360.conflictField'), dataIndex: 'f', render: (f: string) => t(`customer.${f}`) },
                { title: `#${c.id}`, dataIndex: 'keep' },
                { title: `#${merging.id}`, dataIndex: 'from' },
              ]}
            />
          </>
        )}
      </Modal>
    </Card>
  );
}

function ChangeList({ entry }: { entry: AuditEntry }) {
  const value = useFieldValue();
  const label = useFieldLabel();
  if (!entry.changes.length) return null;
  return (
    <ul style={{ margin: '4px 0 0', paddingLeft: 18 }}>
      {entry.changes.map((ch, i) => (
        <li key={i}>
          <b>{label(ch.field)}</b>: {value(ch.field, ch.before)} → {value(ch.field, ch.after)}
        </li>
      ))}
    </ul>
  );
}

function TimelineTab({ customerId }: { customerId: number }) {
  const { t } = useTranslation();
  const lang = useLang();
  const [logging, setLogging] = useState(false);
  return (
    <>
      <TimelineFeed
        customerId={customerId}
        lang={lang}
        renderAudit={(a) => <ChangeList entry={a as unknown as AuditEntry} />}
        extra={
          <Button type="primary" data-testid="log-interaction" onClick={() => setLogging(true)}>
            {t('interactions.log')}
          </Button>
        }
      />
      {logging && <LogInteractionModal customerId={customerId} open onClose={() => setLogging(false)} />}
    </>
  );
}

function AuditTab({ customerId }: { customerId: number }) {
  const { t } = useTranslation();
  const lang = useLang();
  const audit = useAudit(customerId);
  const value = useFieldValue();
  const label = useFieldLabel();
  const rows = (audit.data?.items ?? []).flatMap((e) =>
    (e.changes.length ? e.changes : [{ field: '', before: null, after: null }]).map((ch, i) => ({
      key: `${e.id}-${i}`, at: e.at, actor: actorLabel(e.actor_id, e.actor_name, t), action: e.action, ...ch,
    })),
  );
  return (
    <Card title={t('c360.audit')}>
      <Table
        size="small"
        loading={audit.isPending}
        dataSource={rows}
        pagination={{ pageSize: 20, hideOnSinglePage: true }}
        columns={[
          { title: t('c360.at'), dataIndex: 'at', render: (v: string) => formatTimestamp(v, lang) },
          { title: t('common.name'), dataIndex: 'actor' },
          { title: t('common.actions'), dataIndex: 'action', render: (a: AuditEntry['action']) => enumLabel('c360.actions', a, t) },
          { title: t('c360.conflictField'), dataIndex: 'field', render: (f: string) => (f ? label(f) : '') },
          { title: t('c360.before'), dataIndex: 'before', render: (v: unknown, r) => (r.field ? value(r.field, v) : '') },
          { title: t('c360.after'), dataIndex: 'after', render: (v: unknown, r) => (r.field ? value(r.field, v) : '') },
        ]}
      />
    </Card>
  );
}
