import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KNOWN_SERVER_TEXTS, localizeServerMessage } from './serverMessages';

describe('localizeServerMessage', () => {
  it('translates the field messages of customers and imports in Chinese', () => {
    expect(localizeServerMessage('is not a valid phone number', 'zh-CN')).toBe('不是有效的电话号码');
    expect(localizeServerMessage('must be basic, reactive, accountable, proactive or partnership', 'zh-CN')).toBe(
      '应为基本型、被动型、负责型、能动型或伙伴型',
    );
    expect(localizeServerMessage('same phone as row 11', 'zh-CN')).toBe('与第 11 行的电话相同');
    expect(localizeServerMessage('has 2 columns, the header has 3', 'zh-CN')).toBe('有 2 列，而表头有 3 列');
    expect(localizeServerMessage('belongs to customer 42', 'zh-CN')).toBe('已属于客户 #42');
    expect(localizeServerMessage('must be a valid date', 'zh-CN')).toBe('应为有效的日期（YYYY-MM-DD）');
    expect(localizeServerMessage('must be at most 1000 bytes', 'zh-CN')).toBe('最长 1000 字节');
    expect(localizeServerMessage('must be at most 256 characters', 'zh-CN')).toBe('最多 256 个字符');
    expect(localizeServerMessage('must be HH:MM', 'zh-CN')).toBe('应为时间（HH:MM）');
  });

  it('translates the order, churn, complaint and task forms\' messages too', () => {
    expect(localizeServerMessage('a line needs a name or a sku', 'zh-CN')).toBe('每行明细需要品名或货号');
    expect(localizeServerMessage('must not be in the future', 'zh-CN')).toBe('不能晚于今天');
    expect(localizeServerMessage('must be 1 (most severe) to 4', 'zh-CN')).toBe('应为 1（最严重）到 4');
    expect(localizeServerMessage('sales may assign tasks only to themselves', 'zh-CN')).toBe('销售只能给自己分配任务');
  });

  it('translates an import\'s refusals: unmapped columns, a missing sheet', () => {
    expect(
      localizeServerMessage('cannot map these columns: 鞋码, 爱好 (give a mapping, e.g. {"鞋码": "note"} or "ignore")', 'zh-CN'),
    ).toBe('这些列没有对应的字段：鞋码, 爱好（请为每一列选择字段，或忽略它）');
    expect(localizeServerMessage('the workbook has no worksheet named “客户”; its worksheets are “说明”, “名单”', 'zh-CN')).toBe(
      '工作簿中没有名为“客户”的工作表；现有工作表：“说明”, “名单”',
    );
    expect(localizeServerMessage('is not a worksheet of this workbook', 'zh-CN')).toBe('不是此工作簿中的工作表');
  });

  it('leaves English alone, and a message it does not know as the server wrote it', () => {
    expect(localizeServerMessage('is not a valid phone number', 'en')).toBe('is not a valid phone number');
    expect(localizeServerMessage('something new went wrong', 'zh-CN')).toBe('something new went wrong');
  });

  it('knows only messages the server really writes', () => {
    // The server's sources, so that a reworded message breaks this test instead of silently
    // falling back to English in the Chinese workspace.
    const root = join(__dirname, '../../../src');
    const files = readdirSync(root, { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.cc'))
      .map((f) => join(root, f));
    const sources = files.map((f) => readFileSync(f, 'utf8')).join('\n');
    for (const text of KNOWN_SERVER_TEXTS.exact) expect(sources, text).toContain(`"${text}"`);
    for (const text of KNOWN_SERVER_TEXTS.fragments) expect(sources, text).toContain(text);
  });
});
