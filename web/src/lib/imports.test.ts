import { describe, expect, it } from 'vitest';
import type { ImportReport, Problem } from '../api/types';
import {
  IMPORT_FIELDS, canImport, encodingText, errorFieldBase, formatBytes, importQuery, mappingErrors,
  mappingRows, progressLine, progressPercent, refusalKey, sheetChoices, templateHref, unmappedColumns, uploadContentType, withOverride,
} from './imports';

const report = (over: Partial<ImportReport> = {}): ImportReport => ({
  encoding: 'gb18030',
  sheet: null,
  sheets: [],
  headers: ['姓名', '手机号', '鞋码'],
  mapping: { 姓名: 'name', 手机号: 'phones', 鞋码: 'ignore' },
  rows: 3,
  created: 2,
  updated: 1,
  unchanged: 0,
  error_count: 0,
  errors: [],
  dry_run: true,
  applied: false,
  ...over,
});

const unmapped = (detail: string): Problem => ({
  type: 'https://kehu.dev/problems/validation',
  title: 'Invalid request',
  status: 400,
  detail,
});

describe('importQuery', () => {
  it('asks for a dry run with automatic encoding and no mapping when nothing was changed', () => {
    expect(importQuery(true, {})).toEqual({ encoding: 'auto', dry_run: 'true' });
    expect(importQuery(false, {})).toEqual({ encoding: 'auto' });
  });

  it('sends the changed columns as JSON with sorted keys', () => {
    const q = importQuery(false, { 鞋码: 'ignore', 客户号: 'external_id' });
    expect(q.dry_run).toBeUndefined();
    expect(q.mapping).toBe('{"客户号":"external_id","鞋码":"ignore"}');
    expect(JSON.parse(q.mapping)).toEqual({ 鞋码: 'ignore', 客户号: 'external_id' });
  });

  it('names the workbook tab the user chose, and none otherwise', () => {
    expect(importQuery(true, {}, '客户名单')).toEqual({ encoding: 'auto', dry_run: 'true', sheet: '客户名单' });
    expect(importQuery(false, {}, null)).toEqual({ encoding: 'auto' });
  });
});

describe('sheetChoices', () => {
  const tabs = ['填写说明', '客户名单'];
  it('offers the tabs of a refusal first: a wrong first tab gives no report', () => {
    const refused: Problem = { type: 'validation', title: 'Invalid request', status: 400, sheets: tabs };
    expect(sheetChoices(null, refused)).toEqual(tabs);
    expect(sheetChoices(report({ sheets: ['旧'] }), refused)).toEqual(tabs);
  });
  it('else those of the last report; none for a CSV file', () => {
    expect(sheetChoices(report({ encoding: 'xlsx', sheet: '客户名单', sheets: tabs }), null)).toEqual(tabs);
    const csvProblem: Problem = { type: 'validation', title: 'Invalid request', status: 400 };
    expect(sheetChoices(report({ encoding: 'xlsx', sheets: tabs }), csvProblem)).toEqual(tabs);
    expect(sheetChoices(report(), null)).toEqual([]);
    expect(sheetChoices(null, null)).toEqual([]);
  });
});

describe('unmappedColumns', () => {
  it('reads the columns from the server’s detail, the empty header included', () => {
    expect(
      unmappedColumns(
        unmapped(
          'cannot map these columns: 鞋码, (empty header in column 5) (give a mapping, e.g. {"鞋码": "note"} or "ignore")',
        ),
      ),
    ).toEqual(['鞋码', '']);
  });

  it('finds nothing in other problems', () => {
    expect(unmappedColumns(unmapped('the file is not valid UTF-8 (bad bytes near offset 0); try encoding gbk'))).toEqual([]);
    expect(unmappedColumns({ ...unmapped('cannot map these columns: x (give a mapping'), status: 415 })).toEqual([]);
    expect(unmappedColumns(null)).toEqual([]);
  });
});

describe('mapping rows', () => {
  it('show the server’s choice per header in file order, and the user’s where changed', () => {
    const rows = mappingRows(report(), { 鞋码: 'note' }, null, 'unmapped');
    expect(rows).toEqual([
      { header: '姓名', field: 'name', chosen: false },
      { header: '手机号', field: 'phones', chosen: false },
      { header: '鞋码', field: 'note', chosen: true },
    ]);
  });

  it('list a column nothing maps even before any report, marked as an error', () => {
    const p = unmapped('cannot map these columns: 微信 (give a mapping, e.g. {"微信": "note"} or "ignore")');
    expect(mappingRows(null, {}, p, 'choose a field')).toEqual([
      { header: '微信', field: undefined, chosen: false, error: 'choose a field' },
    ]);
  });

  it('keep a column the user already mapped while another one is still unmapped', () => {
    const p = unmapped('cannot map these columns: B (give a mapping, e.g. {"B": "note"} or "ignore")');
    expect(mappingRows(null, { A: 'ignore' }, p, 'x').map((r) => [r.header, r.field, !!r.error])).toEqual([
      ['B', undefined, true],
      ['A', 'ignore', false],
    ]);
  });

  it('put a refused choice beside its column', () => {
    const p: Problem = {
      ...unmapped('two columns map to phones; map one of them to ignore'),
      errors: [{ field: 'mapping.鞋码', message: 'another column already maps to phones' }],
    };
    expect(mappingErrors(p)).toEqual({ 鞋码: 'another column already maps to phones' });
    const rows = mappingRows(report(), { 鞋码: 'phones' }, p, 'x');
    expect(rows[2]).toEqual({
      header: '鞋码', field: 'phones', chosen: true, error: 'another column already maps to phones',
    });
    expect(rows[1].error).toBeUndefined();
  });
});

describe('withOverride', () => {
  it('records a change and drops one that restores the server’s choice', () => {
    const once = withOverride({}, report(), '鞋码', 'note');
    expect(once).toEqual({ 鞋码: 'note' });
    expect(withOverride(once, report(), '鞋码', 'ignore')).toEqual({});
    expect(withOverride({}, null, '微信', 'ignore')).toEqual({ 微信: 'ignore' });
  });
});

describe('canImport', () => {
  it('allows only a clean dry run with rows, nothing refused and nothing running', () => {
    expect(canImport(report(), null, false)).toBe(true);
    expect(canImport(report({ error_count: 1 }), null, false)).toBe(false);
    expect(canImport(report({ rows: 0, created: 0, updated: 0 }), null, false)).toBe(false);
    expect(canImport(report(), unmapped('x'), false)).toBe(false);
    expect(canImport(report(), null, true)).toBe(false);
    expect(canImport(null, null, false)).toBe(false);
  });
});

describe('progressPercent', () => {
  it('follows done/total while running and is 100 once the job ended', () => {
    const rows = (done: number, total: number) => ({ phase: 'rows' as const, done, total });
    expect(progressPercent(undefined)).toBe(0);
    expect(progressPercent({ status: 'running', progress: rows(0, 0) })).toBe(0);
    expect(progressPercent({ status: 'running', progress: rows(250, 1000) })).toBe(25);
    expect(progressPercent({ status: 'running', progress: rows(1000, 1000) })).toBe(99);
    expect(progressPercent({ status: 'running', progress: { phase: 'reading', done: 3 << 20, total: 12 << 20 } })).toBe(25);
    expect(progressPercent({ status: 'succeeded', progress: rows(0, 3) })).toBe(100);
    expect(progressPercent({ status: 'failed', progress: rows(5, 10) })).toBe(100);
  });
});

describe('progressLine', () => {
  it('says the file is being read, with a workbook\'s share read, then counts rows', () => {
    const t = (key: string, values?: Record<string, number>) => `${key} ${JSON.stringify(values ?? {})}`;
    expect(progressLine({ phase: 'reading', done: 0, total: 0 }, t)).toBe('imports.readingFile {}');
    expect(progressLine({ phase: 'reading', done: 42, total: 100 }, t)).toBe('imports.readingWorkbook {"percent":42}');
    expect(progressLine({ phase: 'reading', done: 100, total: 100 }, t)).toBe('imports.readingWorkbook {"percent":100}');
    expect(progressLine({ phase: 'rows', done: 5000, total: 20000 }, t)).toBe('imports.progress {"done":5000,"total":20000}');
  });
});

describe('refusalKey', () => {
  it('names each refusal the server documents', () => {
    const p = (status: number, detail = 'x'): Problem => ({ type: 't', title: 't', status, detail });
    expect(refusalKey(p(400, 'the file is empty: it needs a header line and rows'))).toBe('imports.refused.badFile');
    expect(refusalKey(unmapped('cannot map these columns: 鞋码 (give a mapping, …'))).toBe('imports.refused.unmapped');
    expect(refusalKey(p(413))).toBe('imports.refused.tooLarge');
    expect(refusalKey(p(429))).toBe('imports.refused.busy');
    expect(refusalKey(p(403))).toBe('imports.refused.forbidden');
    expect(refusalKey(p(0))).toBe('imports.refused.network');
    expect(refusalKey(p(500))).toBe('imports.refused.other');
  });

  it('has no XLSX refusal any more: a 415 is a generic failure', () => {
    const p: Problem = { type: 't', title: 'Unsupported Media Type', status: 415 };
    expect(refusalKey(p)).toBe('imports.refused.other');
  });
});

describe('workbooks', () => {
  it('uploads an .xlsx file as a workbook and anything else as CSV', () => {
    const xlsx = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
    expect(uploadContentType({ name: 'customers-20250101.xlsx', type: xlsx })).toBe(xlsx);
    expect(uploadContentType({ name: '客户.XLSX', type: '' })).toBe(xlsx);
    expect(uploadContentType({ name: 'customers.csv', type: 'text/csv' })).toBe('text/csv');
    expect(uploadContentType({ name: 'customers.csv', type: 'application/vnd.ms-excel' })).toBe('text/csv');
    expect(uploadContentType({ name: 'export', type: '' })).toBe('text/csv');
  });

  it('shows a workbook by its label and a CSV encoding in capitals', () => {
    expect(encodingText('xlsx', 'Excel workbook (XLSX)')).toBe('Excel workbook (XLSX)');
    expect(encodingText('gb18030', 'x')).toBe('GB18030');
    expect(encodingText('utf-8-bom', 'x')).toBe('UTF-8-BOM');
  });
});

describe('small helpers', () => {
  it('label an error by its base field and sizes in B, KB, MB', () => {
    expect(errorFieldBase('phones[0]')).toBe('phones');
    expect(errorFieldBase('name')).toBe('name');
    expect(errorFieldBase('')).toBe('');
    expect(formatBytes(812)).toBe('812 B');
    expect(formatBytes(3482)).toBe('3.4 KB');
    expect(formatBytes(12 * 1024 * 1024)).toBe('12.0 MB');
  });

  it('offer ignore among the fields, once', () => {
    expect(IMPORT_FIELDS.filter((f) => f === 'ignore')).toHaveLength(1);
    expect(IMPORT_FIELDS).toContain('external_id');
  });
});

describe('templateHref', () => {
  it('asks for Chinese headers in Chinese and the field names otherwise', () => {
    expect(templateHref('xlsx', 'zh-CN')).toBe('/api/v1/imports/template?format=xlsx&lang=zh-CN');
    expect(templateHref('csv', 'zh')).toBe('/api/v1/imports/template?format=csv&lang=zh-CN');
    expect(templateHref('xlsx', 'en-US')).toBe('/api/v1/imports/template?format=xlsx&lang=en');
  });
});
