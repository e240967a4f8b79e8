// /import: import customers from a CSV file or an XLSX workbook (its first sheet or the one the
// user picks, read like a CSV file). Choosing a file runs a dry run at once (the file is sent as its own bytes, so the server
// detects GBK/GB18030 in a CSV file and tells a workbook by its bytes); the page then shows the column
// mapping the server chose, editable (each change runs the dry run again with `mapping`), and the
// row-by-row error report. Import is enabled only for a clean dry run; it starts a server job
// whose progress is polled into a progress bar until it ends. The logic lives in lib/imports.ts.
import { useEffect, useRef, useState } from 'react';
import { Link } from 'react-router-dom';
import {
  Alert, Button, Card, Col, Progress, Result, Row, Select, Space, Spin, Statistic, Table,
  Tag, Typography, Upload,
} from 'antd';
import { ArrowLeftOutlined, CloudUploadOutlined, DownloadOutlined, InboxOutlined } from '@ant-design/icons';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { ApiError, api } from '../api/client';
import { keys } from '../api/hooks';
import type { ImportJob, ImportReport, ImportRowError, Problem } from '../api/types';
import {
  IMPORT_FIELDS, canImport, encodingText, errorFieldBase, formatBytes, importQuery, mappingRows,
  progressLine, progressPercent, refusalKey, sheetChoices, templateHref, uploadContentType, withOverride,
  type MappingOverrides, type MappingRow,
} from '../lib/imports';
import { localizeServerMessage } from '../lib/serverMessages';

// Progress is reported every 1,000 rows, and a million rows take under a minute: half a second
// between polls keeps the bar moving without loading the server.
const POLL_MS = 500;

function problemOf(e: unknown): Problem {
  if (e instanceof ApiError) return e.problem;
  return { type: 'about:blank', title: String((e as Error)?.message ?? e), status: 0 };
}

export default function ImportPage() {
  const { t, i18n } = useTranslation();
  const qc = useQueryClient();
  const [file, setFile] = useState<File | null>(null);
  const [overrides, setOverrides] = useState<MappingOverrides>({});
  // A workbook's tab the user picked; null: the server's choice (the first visible worksheet).
  const [sheet, setSheet] = useState<string | null>(null);
  const [report, setReport] = useState<ImportReport | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [checking, setChecking] = useState(false);
  const [starting, setStarting] = useState(false);
  const [jobId, setJobId] = useState<number | null>(null);
  // Only the answer to the latest dry run counts: a slower earlier one must not overwrite it.
  const latest = useRef(0);

  const dryRun = async (f: File, o: MappingOverrides, sh: string | null) => {
    const mine = ++latest.current;
    setChecking(true);
    try {
      const r = await api.upload<ImportReport>('/imports', importQuery(true, o, sh), f, uploadContentType(f));
      if (mine !== latest.current) return;
      setReport(r);
      setProblem(null);
    } catch (e) {
      if (mine !== latest.current) return;
      // The last good report stays on screen, so the mapping can be corrected where it went wrong.
      setProblem(problemOf(e));
    } finally {
      if (mine === latest.current) setChecking(false);
    }
  };

  const choose = (f: File) => {
    setFile(f);
    setOverrides({});
    setSheet(null);
    setReport(null);
    setProblem(null);
    setJobId(null);
    void dryRun(f, {}, null);
  };

  // Another tab has other columns: the mapping starts again from the server's.
  const changeSheet = (s: string) => {
    if (!file) return;
    setSheet(s);
    setOverrides({});
    setReport(null);
    void dryRun(file, {}, s);
  };

  const changeField = (header: string, field: string) => {
    if (!file) return;
    const next = withOverride(overrides, report, header, field);
    setOverrides(next);
    void dryRun(file, next, sheet);
  };

  const job = useQuery({
    queryKey: ['imports', jobId],
    queryFn: ({ signal }) => api.get<ImportJob>(`/imports/${jobId}`, undefined, signal),
    enabled: jobId !== null,
    staleTime: 0,
    refetchInterval: (q) => (q.state.data && q.state.data.status !== 'running' ? false : POLL_MS),
  });
  const status = job.data?.status;
  useEffect(() => {
    // New and updated customers must show in the list the user goes back to.
    if (status === 'succeeded') void qc.invalidateQueries({ queryKey: keys.customers });
  }, [status, qc]);

  const start = async () => {
    if (!file) return;
    setStarting(true);
    try {
      const j = await api.upload<ImportJob>('/imports', importQuery(false, overrides, sheet), file, uploadContentType(file));
      qc.setQueryData(['imports', j.id], j);
      setJobId(j.id);
    } catch (e) {
      setProblem(problemOf(e));
    } finally {
      setStarting(false);
    }
  };

  const reset = () => {
    latest.current++;
    setFile(null);
    setOverrides({});
    setSheet(null);
    setReport(null);
    setProblem(null);
    setJobId(null);
    setChecking(false);
  };

  const jobActive = jobId !== null && status !== 'succeeded' && status !== 'failed';
  const rows = mappingRows(report, overrides, problem, t('imports.unmapped'));
  const sheets = sheetChoices(report, problem);

  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }} data-testid="import-page">
      <div style={{ display: 'flex', justifyContent: 'space-between', alignItems: 'center' }}>
        <Typography.Title level={3} style={{ margin: 0 }}>{t('imports.title')}</Typography.Title>
        <Link to="/customers"><ArrowLeftOutlined /> {t('imports.backToList')}</Link>
      </div>

      <Card size="small">
        <Upload.Dragger
          accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
          multiple={false}
          showUploadList={false}
          disabled={jobActive || starting}
          beforeUpload={(f) => {
            choose(f);
            return false; // the page sends the file itself (raw bytes, with the mapping)
          }}
        >
          <p className="ant-upload-drag-icon"><InboxOutlined /></p>
          <p className="ant-upload-text">{t('imports.chooseFile')}</p>
          <p className="ant-upload-hint" data-testid="import-hint">{t('imports.fileHint')}</p>
        </Upload.Dragger>
        <div style={{ marginTop: 12 }}>
          <Space size="middle" wrap data-testid="import-template">
            <Typography.Text type="secondary">{t('imports.template')}</Typography.Text>
            <a href={templateHref('xlsx', i18n.language)} download data-testid="template-xlsx">
              <DownloadOutlined /> {t('imports.templateXlsx')}
            </a>
            <a href={templateHref('csv', i18n.language)} download data-testid="template-csv">
              <DownloadOutlined /> {t('imports.templateCsv')}
            </a>
          </Space>
        </div>
        {file && (
          <Space size="large" wrap style={{ display: 'flex', marginTop: 12 }} data-testid="import-file">
            <span>
              <Typography.Text type="secondary">{t('imports.file')}</Typography.Text>
              {file.name} ({formatBytes(file.size)})
            </span>
            {report && (
              <span>
                <Typography.Text type="secondary">{t('imports.encoding')}</Typography.Text>
                <Tag data-testid="import-encoding">{encodingText(report.encoding, t('imports.encodingXlsx'))}</Tag>
              </span>
            )}
            {sheets.length > 1 ? (
              <span>
                <Typography.Text type="secondary">{t('imports.sheet')}</Typography.Text>
                <Select
                  data-testid="import-sheet"
                  showSearch
                  size="small"
                  style={{ minWidth: 160 }}
                  value={sheet ?? report?.sheet ?? sheets[0]}
                  disabled={jobActive || starting}
                  options={sheets.map((s) => ({ value: s, label: s }))}
                  onChange={changeSheet}
                />
              </span>
            ) : (
              report?.sheet && (
                <span>
                  <Typography.Text type="secondary">{t('imports.sheet')}</Typography.Text>
                  <Tag data-testid="import-sheet-name">{report.sheet}</Tag>
                </span>
              )
            )}
            {checking && (
              <span>
                <Spin size="small" /> {t('imports.checking')}
              </span>
            )}
          </Space>
        )}
      </Card>

      {problem && <ProblemAlert problem={problem} />}

      {rows.length > 0 && (
        <Card size="small" title={t('imports.mapping')} extra={<Typography.Text type="secondary">{t('imports.mappingHint')}</Typography.Text>}>
          <MappingTable rows={rows} disabled={jobActive || starting} onChange={changeField} />
        </Card>
      )}

      {report && (
        <Card size="small" title={t('imports.report')} data-testid="import-report">
          <ReportCounts report={report} />
          {report.error_count === 0 ? (
            <Alert type="success" showIcon message={t('imports.noErrors')} style={{ margin: '12px 0' }} />
          ) : (
            <Alert
              type="warning" showIcon style={{ margin: '12px 0' }} data-testid="import-errors-found"
              message={t('imports.errorsFound', { count: report.error_count })}
              description={
                report.errors.length < report.error_count
                  ? t('imports.errorsTruncated', { shown: report.errors.length, count: report.error_count })
                  : undefined
              }
            />
          )}
          {report.errors.length > 0 && <ErrorTable errors={report.errors} />}
          <Space style={{ marginTop: 12 }}>
            <Button
              type="primary" icon={<CloudUploadOutlined />} data-testid="start-import" loading={starting}
              disabled={!canImport(report, problem, checking || starting || jobId !== null)}
              onClick={start}
            >
              {t('imports.start')}
            </Button>
            <Typography.Text type="secondary">{t('imports.startHint', { rows: report.rows })}</Typography.Text>
          </Space>
        </Card>
      )}

      {jobId !== null && (
        <Card
          size="small"
          data-testid="import-job"
          title={status === 'succeeded' ? t('imports.succeeded') : status === 'failed' ? t('imports.failed') : t('imports.running')}
        >
          <Progress
            data-testid="import-progress"
            percent={progressPercent(job.data)}
            status={status === 'failed' ? 'exception' : status === 'succeeded' ? 'success' : 'active'}
          />
          {job.data && (
            <Typography.Text type="secondary">
              {progressLine(job.data.progress, t)}
            </Typography.Text>
          )}
          {job.error && <ProblemAlert problem={problemOf(job.error)} />}
          {status === 'succeeded' && job.data?.report && (
            <div data-testid="import-result">
              <Result
                status="success"
                title={t('imports.succeeded')}
                subTitle={t('imports.succeededDetail', {
                  created: job.data.report.created,
                  updated: job.data.report.updated,
                  unchanged: job.data.report.unchanged,
                })}
                extra={[
                  <Link key="list" to="/customers">
                    <Button type="primary" data-testid="import-to-list">{t('imports.toList')}</Button>
                  </Link>,
                  <Button key="again" onClick={reset}>{t('imports.another')}</Button>,
                ]}
              />
            </div>
          )}
          {status === 'failed' && (
            <>
              <Alert
                type="error" showIcon style={{ marginTop: 12 }} data-testid="import-failed"
                message={t('imports.failed')}
                description={job.data?.error?.message && localizeServerMessage(job.data.error.message, i18n.language)}
              />
              {job.data?.report && job.data.report.errors.length > 0 && <ErrorTable errors={job.data.report.errors} />}
            </>
          )}
        </Card>
      )}
    </Space>
  );
}

function ProblemAlert({ problem }: { problem: Problem }) {
  const { t, i18n } = useTranslation();
  const retry = (problem as { retry_after?: number }).retry_after;
  const key = refusalKey(problem);
  const headline =
    key === 'imports.refused.busy' && typeof retry === 'number'
      ? t('imports.refused.busyRetry', { seconds: retry })
      : t(key);
  return (
    <Alert
      type="error" showIcon data-testid="import-problem" message={headline}
      description={
        problem.detail
          ? localizeServerMessage(problem.detail, i18n.language)
          : problem.status ? `${problem.status} ${problem.title}` : problem.title
      }
    />
  );
}

function fieldOptions(t: (k: string) => string) {
  return IMPORT_FIELDS.map((f) => ({
    value: f,
    label: f === 'ignore' ? t('imports.ignore') : `${t(`customer.${f}`)} · ${f}`,
  }));
}

function MappingTable({
  rows, disabled, onChange,
}: { rows: MappingRow[]; disabled: boolean; onChange: (header: string, field: string) => void }) {
  const { t, i18n } = useTranslation();
  const options = fieldOptions(t);
  return (
    <Table<MappingRow>
      data-testid="mapping-table"
      size="small"
      pagination={false}
      rowKey="header"
      dataSource={rows}
      columns={[
        {
          title: t('imports.column'), key: 'header', width: '30%',
          render: (_, r) => <Typography.Text strong>{r.header || t('common.none')}</Typography.Text>,
        },
        {
          title: t('imports.field'), key: 'field',
          render: (_, r) => (
            <Space direction="vertical" size={2} style={{ width: '100%' }}>
              <Space>
                <Select
                  data-testid={`mapping-select-${r.header}`}
                  style={{ width: 260 }}
                  showSearch
                  optionFilterProp="label"
                  disabled={disabled}
                  status={r.error ? 'error' : undefined}
                  placeholder={t('imports.chooseField')}
                  value={r.field}
                  options={options}
                  onChange={(v: string) => onChange(r.header, v)}
                />
                {r.field && <Tag color={r.chosen ? 'blue' : undefined}>{r.chosen ? t('imports.changed') : t('imports.auto')}</Tag>}
              </Space>
              {r.error && <Typography.Text type="danger">{localizeServerMessage(r.error, i18n.language)}</Typography.Text>}
            </Space>
          ),
        },
      ]}
    />
  );
}

function ReportCounts({ report }: { report: ImportReport }) {
  const { t } = useTranslation();
  const items: [string, string, number][] = [
    ['rows', t('imports.rows'), report.rows],
    ['created', t('imports.created'), report.created],
    ['updated', t('imports.updated'), report.updated],
    ['unchanged', t('imports.unchanged'), report.unchanged],
    ['errors', t('imports.errors'), report.error_count],
  ];
  return (
    <Row gutter={16}>
      {items.map(([k, label, v]) => (
        <Col key={k} span={4} data-testid={`count-${k}`}>
          <Statistic
            title={label} value={v}
            valueStyle={k === 'errors' && v > 0 ? { color: '#cf1322' } : undefined}
          />
        </Col>
      ))}
    </Row>
  );
}

function ErrorTable({ errors }: { errors: ImportRowError[] }) {
  const { t, i18n } = useTranslation();
  const label = (field: string) => {
    const base = errorFieldBase(field);
    if (!base) return t('imports.wholeRow');
    const known = (IMPORT_FIELDS as readonly string[]).includes(base) && base !== 'ignore';
    return known ? `${t(`customer.${base}`)} (${field})` : field;
  };
  const data = errors.map((e, i) => ({ ...e, key: `${i}` }));
  return (
    <Table
      data-testid="import-errors"
      size="small"
      dataSource={data}
      pagination={data.length > 20 ? { pageSize: 20, showSizeChanger: false } : false}
      columns={[
        { title: t('imports.row'), dataIndex: 'row', key: 'row', width: 80 },
        { title: t('imports.line'), dataIndex: 'line', key: 'line', width: 100 },
        { title: t('imports.field'), key: 'field', width: 220, render: (_, e) => label(e.field) },
        {
          title: t('imports.message'), key: 'message',
          render: (_, e) => localizeServerMessage(e.message, i18n.language),
        },
      ]}
    />
  );
}
