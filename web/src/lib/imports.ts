// The import page's logic, kept free of React so it can be unit-tested (imports.test.ts): the
// query and Content-Type of POST /api/v1/imports, the column-mapping rows, what the server could
// not map, when the Import button may be pressed, the progress bar's percent, how the detected
// encoding is shown and the message for a refusal.
import { buildUrl } from '../api/client';
import type { ImportJob, ImportReport, Problem } from '../api/types';

/** The fields a column of the file (CSV or the workbook's chosen sheet) can be mapped to (docs/openapi.yaml, POST /api/v1/imports). */
export const IMPORT_FIELDS = [
  'name', 'kind', 'phones', 'emails', 'category', 'lifecycle_stage', 'relationship_level', 'gender',
  'birthday', 'birthday_lunar', 'province', 'city', 'district', 'street', 'organization', 'tags',
  'note', 'external_id', 'source_channel', 'vip', 'ignore',
] as const;
export type ImportField = (typeof IMPORT_FIELDS)[number];

/** Column header → field, as the user chose it on the mapping screen. */
export type MappingOverrides = Record<string, string>;

/**
 * The query parameters of POST /api/v1/imports. The encoding of a CSV file is always detected by
 * the server ("auto"; a workbook ignores it); `sheet` is a workbook's tab the user chose (the
 * server reads the first otherwise); `mapping` is sent only when the user changed something, as JSON with its keys sorted
 * so that the same choice always gives the same URL.
 */
export function importQuery(dryRun: boolean, overrides: MappingOverrides, sheet?: string | null): Record<string, string> {
  const q: Record<string, string> = { encoding: 'auto' };
  if (dryRun) q.dry_run = 'true';
  if (sheet) q.sheet = sheet;
  const keys = Object.keys(overrides).sort();
  if (keys.length) {
    const sorted: MappingOverrides = {};
    for (const k of keys) sorted[k] = overrides[k];
    q.mapping = JSON.stringify(sorted);
  }
  return q;
}

/**
 * The link to the import template (GET /api/v1/imports/template) in the workspace's language:
 * Chinese headers for zh-CN, the field names for anything else.
 */
export function templateHref(format: 'xlsx' | 'csv', language: string): string {
  return buildUrl('/imports/template', { format, lang: language.startsWith('zh') ? 'zh-CN' : 'en' });
}

const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/**
 * The Content-Type to upload a chosen file with: the XLSX type for a workbook (by its name or the
 * type the browser gave it), else text/csv. The server tells the two apart by the bytes anyway;
 * this only labels the request correctly.
 */
export function uploadContentType(file: Pick<File, 'name' | 'type'>): string {
  return file.type === XLSX_TYPE || /\.xlsx$/i.test(file.name) ? XLSX_TYPE : 'text/csv';
}

/**
 * The detected encoding as the page shows it: `workbookLabel` for an XLSX workbook (the report's
 * encoding "xlsx"), else the CSV encoding in capitals ("GB18030", "UTF-8-BOM").
 */
export function encodingText(encoding: string, workbookLabel: string): string {
  return encoding === 'xlsx' ? workbookLabel : encoding.toUpperCase();
}

const UNMAPPED_RE = /^cannot map these columns: (.*) \(give a mapping/s;
const EMPTY_HEADER_RE = /^\(empty header in column \d+\)$/;

/**
 * The headers the server could not map to a field, read from its 400 problem: field errors named
 * `mapping.<header>` first; otherwise the list in the detail "cannot map these columns: A, B
 * (give a mapping, …)", where "(empty header in column N)" stands for the header "". Empty when
 * the problem is about something else. (The server checks the user's answer, so a header that
 * itself contains ", " at worst yields a second 400 with the same detail, never a wrong import.)
 */
export function unmappedColumns(problem: Problem | null | undefined): string[] {
  if (!problem || problem.status !== 400) return [];
  const m = UNMAPPED_RE.exec(problem.detail ?? '');
  if (!m) return [];
  return m[1].split(', ').map((h) => (EMPTY_HEADER_RE.test(h) ? '' : h));
}

/** Field errors of a refused mapping, by header: {"手机": "another column already maps to phones"}. */
export function mappingErrors(problem: Problem | null | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of problem?.errors ?? []) {
    if (e.field.startsWith('mapping.')) out[e.field.slice('mapping.'.length)] ??= e.message;
  }
  return out;
}

export interface MappingRow {
  header: string;
  /** The field in effect: the user's choice, else the server's; undefined when nothing maps it. */
  field: string | undefined;
  /** True when the user chose the field (it is sent in `mapping`). */
  chosen: boolean;
  /** The server could not map this column, or refused the choice for it. */
  error?: string;
}

/**
 * One row per column for the mapping screen: the headers of the last report in file order, then
 * any header the server could not map that the report does not list (there is no report yet when
 * the very first dry run was refused for it).
 */
export function mappingRows(
  report: Pick<ImportReport, 'headers' | 'mapping'> | null,
  overrides: MappingOverrides,
  problem: Problem | null,
  unmappedMessage: string,
): MappingRow[] {
  const unmapped = unmappedColumns(problem);
  const refused = mappingErrors(problem);
  const headers = [...(report?.headers ?? [])];
  for (const h of [...unmapped, ...Object.keys(overrides)]) if (!headers.includes(h)) headers.push(h);
  return headers.map((header) => {
    const chosen = Object.prototype.hasOwnProperty.call(overrides, header);
    const field = chosen ? overrides[header] : report?.mapping[header];
    const error = refused[header] ?? (unmapped.includes(header) ? unmappedMessage : undefined);
    return { header, field, chosen, ...(error ? { error } : {}) };
  });
}

/**
 * The new overrides after the user picked `field` for `header`: choosing what the server chose on
 * its own removes the override, so the URL carries only real changes.
 */
export function withOverride(
  overrides: MappingOverrides,
  report: Pick<ImportReport, 'mapping'> | null,
  header: string,
  field: string,
): MappingOverrides {
  const next = { ...overrides };
  if (report && report.mapping[header] === field) delete next[header];
  else next[header] = field;
  return next;
}

/**
 * A workbook's tabs to choose from: those of the latest answer, a refusal (whose `sheets` the
 * server sends when a workbook's header or tab cannot be read) or else the last report. Empty for
 * a CSV file; the page offers the choice only when there are two or more.
 */
export function sheetChoices(
  report: Pick<ImportReport, 'sheets'> | null, problem: Pick<Problem, 'sheets'> | null,
): string[] {
  return problem?.sheets?.length ? problem.sheets : report?.sheets ?? [];
}

/** The Import button is enabled only for a clean dry run of a file with rows and no refusal. */
export function canImport(report: ImportReport | null, problem: Problem | null, busy: boolean): boolean {
  return !!report && !problem && !busy && report.error_count === 0 && report.rows > 0;
}

/** The progress bar's percent: 100 once the job ended, else done/total rounded down, below 100. */
export function progressPercent(job: Pick<ImportJob, 'status' | 'progress'> | undefined): number {
  if (!job) return 0;
  if (job.status !== 'running') return 100;
  const { done, total } = job.progress;
  if (total <= 0 || done <= 0) return 0;
  return Math.min(99, Math.floor((done * 100) / total));
}

/** The line under the progress bar: the file being read (a workbook with the share of its XML
 * read, which takes a while for a large one), then the rows checked and written. */
export function progressLine(progress: ImportJob['progress'], t: (key: string, values?: Record<string, number>) => string): string {
  const { phase, done, total } = progress;
  if (phase === 'reading') {
    if (total <= 0) return t('imports.readingFile');
    return t('imports.readingWorkbook', { percent: Math.min(100, Math.floor((done * 100) / total)) });
  }
  return t('imports.progress', { done, total });
}

/** The base field of an error path for its label: "phones[0]" → "phones", "" → "". */
export function errorFieldBase(field: string): string {
  return field.replace(/\[\d+\].*$/, '').split('.')[0];
}

export type RefusalKey =
  | 'imports.refused.badFile'
  | 'imports.refused.unmapped'
  | 'imports.refused.tooLarge'
  | 'imports.refused.busy'
  | 'imports.refused.forbidden'
  | 'imports.refused.network'
  | 'imports.refused.other';

/**
 * The translated headline for a refused upload (the problem's detail is shown beneath it):
 * 400 bad file or unmapped columns, 413 too large, 429 another import running, 401/403 role may
 * not import, 0 no answer, anything else a generic failure (XLSX workbooks are imported, so there
 * is no 415 case).
 */
export function refusalKey(problem: Problem): RefusalKey {
  switch (problem.status) {
    case 400:
      return unmappedColumns(problem).length ? 'imports.refused.unmapped' : 'imports.refused.badFile';
    case 413:
      return 'imports.refused.tooLarge';
    case 429:
      return 'imports.refused.busy';
    case 401:
    case 403:
      return 'imports.refused.forbidden';
    case 0:
      return 'imports.refused.network';
    default:
      return 'imports.refused.other';
  }
}

/** A file size for people: "812 B", "3.4 KB", "12.0 MB". */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / (1024 * 1024)).toFixed(1)} MB`;
}
