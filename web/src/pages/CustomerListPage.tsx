import { lazy, Suspense, useMemo, useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router-dom';
import {
  Alert, App, Button, Card, Checkbox, Dropdown, Form, Input, Modal, Popover, Select, Space, Spin, Table, Tag,
  Typography,
} from 'antd';
import type { ColumnsType, SortOrder } from 'antd/es/table/interface';
import {
  BarChartOutlined, DownloadOutlined, LeftOutlined, PlusOutlined, RightOutlined, SettingOutlined, UploadOutlined,
} from '@ant-design/icons';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { ApiError, api } from '../api/client';
import {
  keys, useCategories, useCustomerList, useSavedViews, useUsers, type CustomerQuery,
} from '../api/hooks';
import {
  LIFECYCLE_STAGES, RELATIONSHIP_LEVELS, type BulkUpdateResult, type Customer, type CustomerSort,
  type SavedView, type SavedViewQuery,
} from '../api/types';
import { formatPersonName, formatPhone, formatTimestamp } from '../lib/format';
import { exportHref } from '../lib/exports';
import { FILTER_KEYS, filtersFromSearch, pageQuery } from '../lib/listQuery';
import { categoryLabel, enumLabel, userLabel } from '../components/labels';
// The form's fields (date picker, number inputs...) load when the dialog first opens: they are
// not part of the list's first paint, and their code was ~20 % of the first load's JavaScript.
const CustomerFields = lazy(() => import('../components/CustomerFields'));
import { EMPTY_CUSTOMER_FORM, fromFormValues, type CustomerFormValues } from '../components/customerForm';
import { applyFieldErrors } from '../components/applyErrors';
import { useLang } from '../App';

const StageChart = lazy(() => import('../components/StageChart'));

const ALL_COLUMNS = [
  'name', 'phones', 'organization', 'category', 'lifecycle_stage', 'relationship_level', 'owner',
  'tags', 'vip', 'created_at', 'updated_at',
] as const;
type ColumnKey = (typeof ALL_COLUMNS)[number];
const DEFAULT_COLUMNS: ColumnKey[] = [
  'name', 'phones', 'category', 'lifecycle_stage', 'relationship_level', 'owner', 'tags', 'created_at',
];
const COLUMNS_KEY = 'kehu.customerColumns';

function loadColumns(): ColumnKey[] {
  try {
    const v = JSON.parse(localStorage.getItem(COLUMNS_KEY) ?? 'null');
    if (Array.isArray(v)) return v.filter((c): c is ColumnKey => (ALL_COLUMNS as readonly string[]).includes(c));
  } catch {
    // fall through to the default
  }
  return DEFAULT_COLUMNS;
}

export default function CustomerListPage() {
  const { t, i18n } = useTranslation();
  const lang = useLang();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const [params, setParams] = useSearchParams();
  // Cursor history for "previous": cursors[i] fetches page i+1 (cursors[0] is undefined).
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const [columns, setColumnsState] = useState<ColumnKey[]>(loadColumns);
  const [selected, setSelected] = useState<number[]>([]);
  const [bulkOwner, setBulkOwner] = useState<number | undefined>();
  const [bulkTags, setBulkTags] = useState<string[]>([]);
  const [showChart, setShowChart] = useState(false);
  const [creating, setCreating] = useState(false);
  const [savingView, setSavingView] = useState(false);

  const filters: CustomerQuery = useMemo(() => filtersFromSearch(params), [params]);
  const page = cursors.length - 1;
  const query = pageQuery(filters, cursors[page]);
  const list = useCustomerList(query);
  const users = useUsers().data?.items;
  const categories = useCategories().data?.items;
  const views = useSavedViews().data?.items ?? [];

  const setColumns = (c: ColumnKey[]) => {
    setColumnsState(c);
    localStorage.setItem(COLUMNS_KEY, JSON.stringify(c));
  };
  const setFilter = (patch: Partial<Record<(typeof FILTER_KEYS)[number], string | undefined>>) => {
    const next = new URLSearchParams(params);
    for (const [k, v] of Object.entries(patch)) {
      if (v) next.set(k, v);
      else next.delete(k);
    }
    setParams(next);
    setCursors([undefined]);
    setSelected([]);
  };

  const bulk = useMutation({
    mutationFn: (body: { ids: number[]; owner_id?: number; add_tags?: string[] }) =>
      api.post<BulkUpdateResult>('/customers/bulk', body),
    onSuccess: (r) => {
      message.success(t('list.bulkDone', { count: r.updated }));
      setSelected([]);
      setBulkTags([]);
      void qc.invalidateQueries({ queryKey: keys.customers });
    },
    onError: (e) => message.error((e as Error).message),
  });

  const sortParam = (filters.sort ?? '-created_at') as CustomerSort;
  const orderOf = (field: string): SortOrder =>
    sortParam === field ? 'ascend' : sortParam === `-${field}` ? 'descend' : null;

  const allColumns: Record<ColumnKey, ColumnsType<Customer>[number]> = {
    name: {
      title: t('customer.name'), key: 'name', sorter: true, sortOrder: orderOf('name'),
      render: (_, c) => (
        <Link to={`/customers/${c.id}`} data-testid="customer-link">{formatPersonName(c)}</Link>
      ),
    },
    phones: { title: t('customer.phones'), key: 'phones', render: (_, c) => c.phones.map(formatPhone).join(', ') },
    organization: { title: t('customer.organization'), dataIndex: 'organization', key: 'organization' },
    category: {
      title: t('customer.category'), key: 'category',
      render: (_, c) => (c.category ? categoryLabel(c.category, categories, lang) : ''),
    },
    lifecycle_stage: {
      title: t('customer.lifecycle_stage'), key: 'lifecycle_stage',
      render: (_, c) => enumLabel('customer.stages', c.lifecycle_stage, t),
    },
    relationship_level: {
      title: t('customer.relationship_level'), key: 'relationship_level',
      render: (_, c) => enumLabel('customer.levels', c.relationship_level, t),
    },
    owner: { title: t('customer.owner'), key: 'owner', render: (_, c) => userLabel(c.owner_id, users) },
    tags: { title: t('customer.tags'), key: 'tags', render: (_, c) => c.tags.map((x) => <Tag key={x}>{x}</Tag>) },
    vip: { title: t('customer.vip'), key: 'vip', render: (_, c) => (c.vip ? <Tag color="gold">VIP</Tag> : null) },
    created_at: {
      title: t('customer.created_at'), key: 'created_at', sorter: true, sortOrder: orderOf('created_at'),
      render: (_, c) => formatTimestamp(c.created_at, lang),
    },
    updated_at: {
      title: t('customer.updated_at'), key: 'updated_at', sorter: true, sortOrder: orderOf('updated_at'),
      render: (_, c) => formatTimestamp(c.updated_at, lang),
    },
  };

  const applyView = (v: SavedView) => {
    const next = new URLSearchParams();
    const q = v.query;
    for (const k of FILTER_KEYS) {
      const val = q[k as keyof SavedViewQuery];
      if (val !== undefined && val !== null && val !== '') next.set(k, String(val));
    }
    setParams(next);
    setCursors([undefined]);
    if (q.columns?.length) setColumns(q.columns.filter((c): c is ColumnKey => (ALL_COLUMNS as readonly string[]).includes(c)));
  };

  const items = list.data?.items ?? [];
  const nextCursor = list.data?.next_cursor ?? null;

  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }}>
      <div style={{ display: 'flex', justifyContent: 'space-between', alignItems: 'center' }}>
        <Typography.Title level={3} style={{ margin: 0 }}>{t('customer.list')}</Typography.Title>
        <Space>
          <Button icon={<BarChartOutlined />} onClick={() => setShowChart((s) => !s)}>{t('list.chart')}</Button>
          <Link to="/import">
            <Button icon={<UploadOutlined />} data-testid="open-import">{t('imports.open')}</Button>
          </Link>
          {/* Plain links: the browser downloads the attachment with the session cookie. */}
          <Dropdown
            trigger={['click']}
            menu={{
              items: [
                {
                  key: 'csv',
                  label: <a href={exportHref(filters, 'csv', i18n.language)} download data-testid="export-csv">{t('exports.csv')}</a>,
                },
                {
                  key: 'xlsx',
                  label: <a href={exportHref(filters, 'xlsx', i18n.language)} download data-testid="export-xlsx">{t('exports.xlsx')}</a>,
                },
                { type: 'divider' },
                { key: 'hint', disabled: true, label: (
                    <Typography.Text type="secondary" style={{ display: 'block', maxWidth: 260, whiteSpace: 'normal', fontSize: 12 }}>
                      {t('exports.hint')}
                    </Typography.Text>
                  ),
                },
              ],
            }}
          >
            <Button icon={<DownloadOutlined />} data-testid="export-button">{t('exports.button')}</Button>
          </Dropdown>
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)} data-testid="new-customer">
            {t('customer.new')}
          </Button>
        </Space>
      </div>
      <Card size="small">
        <Space wrap>
          <Input.Search
            key={filters.q ?? ''}
            data-testid="customer-search"
            allowClear
            defaultValue={filters.q}
            placeholder={t('customer.searchPlaceholder')}
            style={{ width: 360 }}
            onSearch={(v) => setFilter({ q: v.trim() || undefined })}
          />
          <Select
            allowClear style={{ width: 150 }} placeholder={t('list.allCategories')} value={filters.category}
            onChange={(v) => setFilter({ category: v })}
            options={(categories ?? []).map((c) => ({ value: c.key, label: lang === 'zh-CN' ? c.name_zh : c.name_en }))}
          />
          <Select
            allowClear style={{ width: 140 }} placeholder={t('list.allStages')} value={filters.lifecycle_stage}
            onChange={(v) => setFilter({ lifecycle_stage: v })}
            options={LIFECYCLE_STAGES.map((s) => ({ value: s, label: enumLabel('customer.stages', s, t) }))}
          />
          <Select
            allowClear style={{ width: 150 }} placeholder={t('list.allLevels')} value={filters.relationship_level}
            onChange={(v) => setFilter({ relationship_level: v })}
            options={RELATIONSHIP_LEVELS.map((s) => ({ value: s, label: enumLabel('customer.levels', s, t) }))}
          />
          <Select
            allowClear showSearch optionFilterProp="label" style={{ width: 150 }} placeholder={t('list.anyOwner')}
            value={filters.owner_id} onChange={(v) => setFilter({ owner_id: v ? String(v) : undefined })}
            options={(users ?? []).map((u) => ({ value: u.id, label: u.display_name }))}
          />
          <Input
            key={`tag-${filters.tag ?? ''}`} allowClear style={{ width: 120 }} placeholder={t('list.tagFilter')}
            defaultValue={filters.tag}
            onPressEnter={(e) => setFilter({ tag: (e.target as HTMLInputElement).value.trim() || undefined })}
          />
          <Button onClick={() => { setParams(new URLSearchParams()); setCursors([undefined]); }}>{t('list.clear')}</Button>
          <Select
            style={{ width: 180 }} placeholder={t('list.savedViews')} value={null as number | null}
            onChange={(id) => { const v = views.find((x) => x.id === id); if (v) applyView(v); }}
            options={views.map((v) => ({ value: v.id, label: v.name }))}
            optionRender={(o) => (
              <div style={{ display: 'flex', justifyContent: 'space-between' }}>
                <span>{o.label}</span>
                <a
                  onClick={async (e) => {
                    e.stopPropagation();
                    await api.del(`/saved-views/${o.value}`);
                    void qc.invalidateQueries({ queryKey: keys.savedViews });
                  }}
                  aria-label={t('list.deleteView')}
                >×</a>
              </div>
            )}
          />
          <Button onClick={() => setSavingView(true)}>{t('list.saveView')}</Button>
          <Popover
            trigger="click"
            title={t('list.columns')}
            content={
              <Checkbox.Group
                style={{ display: 'grid', gap: 4 }}
                value={columns}
                onChange={(v) => setColumns(ALL_COLUMNS.filter((c) => (v as string[]).includes(c)))}
                options={ALL_COLUMNS.map((c) => ({
                  value: c,
                  label: String(allColumns[c].title),
                  disabled: c === 'name',
                }))}
              />
            }
          >
            <Button icon={<SettingOutlined />}>{t('list.columns')}</Button>
          </Popover>
        </Space>
      </Card>

      {showChart && (
        <Card size="small" title={t('list.chartTitle')}>
          <Suspense fallback={<Spin />}>
            <StageChart customers={items} />
          </Suspense>
        </Card>
      )}

      {selected.length > 0 && (
        <Alert
          type="info"
          message={
            <Space wrap>
              <span>{t('list.selected', { count: selected.length })}</span>
              <Select
                allowClear showSearch optionFilterProp="label" style={{ width: 160 }} placeholder={t('customer.owner')}
                value={bulkOwner} onChange={setBulkOwner}
                options={(users ?? []).map((u) => ({ value: u.id, label: u.display_name }))}
              />
              <Button disabled={!bulkOwner} loading={bulk.isPending}
                onClick={() => bulk.mutate({ ids: selected, owner_id: bulkOwner })}>
                {t('list.assignOwner')}
              </Button>
              <Select mode="tags" style={{ width: 200 }} placeholder={t('customer.tags')} value={bulkTags} onChange={setBulkTags} />
              <Button disabled={!bulkTags.length} loading={bulk.isPending}
                onClick={() => bulk.mutate({ ids: selected, add_tags: bulkTags })}>
                {t('list.addTags')}
              </Button>
            </Space>
          }
        />
      )}

      {list.error && <Alert type="error" showIcon message={(list.error as Error).message} />}
      <Table<Customer>
        data-testid="customer-table"
        rowKey="id"
        size="middle"
        loading={list.isFetching}
        dataSource={items}
        columns={columns.map((c) => allColumns[c])}
        pagination={false}
        locale={{ emptyText: t('list.empty') }}
        rowSelection={{ selectedRowKeys: selected, onChange: (k) => setSelected(k as number[]) }}
        onChange={(_p, _f, sorter) => {
          const s = Array.isArray(sorter) ? sorter[0] : sorter;
          const key = s?.columnKey as string | undefined;
          setFilter({ sort: s?.order && key ? (s.order === 'ascend' ? key : `-${key}`) : undefined });
        }}
        onRow={(c) => ({ onDoubleClick: () => navigate(`/customers/${c.id}`) })}
      />
      <Space style={{ display: 'flex', justifyContent: 'flex-end' }}>
        <Button icon={<LeftOutlined />} disabled={page === 0} onClick={() => setCursors((c) => c.slice(0, -1))}>
          {t('list.previous')}
        </Button>
        <span data-testid="page-number">{t('list.page', { page: page + 1 })}</span>
        <Button disabled={!nextCursor} onClick={() => nextCursor && setCursors((c) => [...c, nextCursor])}>
          {t('list.next')} <RightOutlined />
        </Button>
      </Space>

      <CreateCustomerModal open={creating} onClose={() => setCreating(false)} />
      <SaveViewModal
        open={savingView}
        onClose={() => setSavingView(false)}
        query={{ ...(filters as SavedViewQuery), columns: [...columns] }}
      />
    </Space>
  );
}

function CreateCustomerModal({ open, onClose }: { open: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const [form] = Form.useForm<CustomerFormValues>();
  const [problem, setProblem] = useState<{ text: string; conflictId?: number } | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async () => {
    const v = await form.validateFields();
    setBusy(true);
    setProblem(null);
    try {
      const c = await api.post<Customer>('/customers', fromFormValues(v));
      message.success(t('customer.created'));
      void qc.invalidateQueries({ queryKey: keys.customers });
      form.resetFields();
      onClose();
      navigate(`/customers/${c.id}`);
    } catch (e) {
      if (e instanceof ApiError && e.status === 409) {
        setProblem({ text: t('customer.duplicateExists'), conflictId: e.conflictId });
      } else if (e instanceof ApiError && (e.status === 400 || e.status === 422)) {
        const rest = applyFieldErrors(form, e);
        setProblem({ text: [t('c360.fixErrors'), ...rest].join(' ') });
      } else {
        setProblem({ text: (e as Error).message });
      }
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal
      open={open}
      title={t('customer.new')}
      width={760}
      onCancel={onClose}
      onOk={submit}
      okText={t('common.create')}
      okButtonProps={{ loading: busy, id: 'create-customer-submit' }}
      destroyOnHidden
    >
      {problem && (
        <Alert
          type="error" showIcon style={{ marginBottom: 16 }} message={problem.text} data-testid="form-problem"
          action={problem.conflictId ? (
            <Button size="small" onClick={() => { onClose(); navigate(`/customers/${problem.conflictId}`); }}>
              {t('customer.openExisting')}
            </Button>
          ) : undefined}
        />
      )}
      <Form form={form} layout="vertical" initialValues={EMPTY_CUSTOMER_FORM} preserve={false}>
        <Suspense fallback={<Spin />}>
          <CustomerFields />
        </Suspense>
      </Form>
    </Modal>
  );
}

function SaveViewModal({ open, onClose, query }: { open: boolean; onClose: () => void; query: SavedViewQuery }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [name, setName] = useState('');
  const [error, setError] = useState<string | null>(null);
  return (
    <Modal
      open={open}
      title={t('list.saveView')}
      onCancel={onClose}
      okButtonProps={{ disabled: !name.trim() }}
      onOk={async () => {
        try {
          await api.post<SavedView>('/saved-views', { name: name.trim(), query });
          void qc.invalidateQueries({ queryKey: keys.savedViews });
          setName('');
          setError(null);
          onClose();
        } catch (e) {
          setError((e as Error).message);
        }
      }}
    >
      {error && <Alert type="error" message={error} style={{ marginBottom: 8 }} />}
      <Input placeholder={t('list.viewName')} value={name} onChange={(e) => setName(e.target.value)} />
    </Modal>
  );
}
