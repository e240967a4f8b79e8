// The server writes its field messages in English (src/domain, src/store, src/http). The Chinese
// workspace shows those a user meets while editing, merging or importing customers, recording
// orders and churn, filing and resolving complaints and logging tasks and interactions in
// Chinese, and the common ones of every form (required, too long, a date, a time of day);
// any other message is shown as the server wrote it, so nothing is lost when the server says
// something new. The labels are the workspace's own (i18n/zh-CN.ts): 活跃客户, 伙伴型, 决策者.

const EXACT: Record<string, string> = {
  'is required': '必填',
  'is not a valid phone number': '不是有效的电话号码',
  'is not a valid email address': '不是有效的邮箱地址',
  'is not a category of this organisation': '不是本企业的客户类别',
  'is not a defined custom field': '不是已定义的自定义字段',
  'is taken': '已被占用',
  'is too large': '太大',
  'must be valid UTF-8': '应为有效的 UTF-8 文本',
  'must be a date YYYY-MM-DD': '应为日期（YYYY-MM-DD）',
  'must be between 1900-01-01 and today': '应在 1900-01-01 到今天之间',
  'must be person or organization': '应为个人或企业',
  'must be male, female or unknown': '应为男、女或未知',
  'must be prospect, active, at_risk, lost or won_back': '应为潜在客户、活跃客户、流失风险、已流失或已挽回',
  'must be basic, reactive, accountable, proactive or partnership': '应为基本型、被动型、负责型、能动型或伙伴型',
  'must be sms, email, phone, wechat or mail': '应为短信、邮件、电话、微信或信函',
  'must be user, influencer, decider, approver, buyer or gatekeeper':
    '应为使用者、影响者、决策者、批准者、采购者或把关者',
  'must be 是/否, yes/no or 1/0': '应为 是/否、yes/no 或 1/0',
  'must differ from the target': '不能与目标客户相同',
  'must be 1-100 bytes': '应为 1-100 字节',
  'must be 1-50 bytes of text': '应为 1-50 字节的文本',
  'no field is known for this column; map it or ignore it': '没有对应此列的字段：请选择一个字段，或忽略此列',
  "no column holds the customer's name (姓名 / name)": '没有一列是客户姓名（姓名 / name）',
  'is not a worksheet of this workbook': '不是此工作簿中的工作表',
  'is not a known field': '不是已知的字段',
  'must be HH:MM': '应为时间（HH:MM）',
  'must be a date or an RFC 3339 time': '应为日期（YYYY-MM-DD）或 RFC 3339 时间',
  'must be an integer': '应为整数',
  'must be a number': '应为数字',
  'must be a string': '应为文本',
  // Orders and churn records (the 360° page's order form and "record churn").
  'no such customer': '没有这个客户',
  'must be an RFC 3339 time or a date (YYYY-MM-DD)': '应为日期（YYYY-MM-DD）或时间',
  'must be a date (YYYY-MM-DD)': '应为日期（YYYY-MM-DD）',
  'must be after 1900': '应晚于 1900 年',
  'must not be in the future': '不能晚于今天',
  'must be between 0 and 2^50': '金额超出范围',
  'is required (or give lines)': '必填（或填写订单明细）',
  'must equal the sum of the lines; change the lines instead': '应等于各明细金额之和；请修改明细',
  'give unit_price_minor or amount_minor': '请填写单价或金额',
  'a line needs a name or a sku': '每行明细需要品名或货号',
  'must be an ISO 4217 code in capitals, e.g. CNY': '应为大写的 ISO 4217 币种代码，例如 CNY',
  'is taken by another order': '已被另一个订单使用',
  'cannot be changed once set': '设置后不能修改',
  'cannot be changed; create a new order for another customer': '不能修改；请为另一个客户新建订单',
  'must be one of online, store, group_purchase, distributor, consignment': '应为线上、门店、团购、经销商或代销',
  'must be one of placed, paid, returned, cancelled': '应为已下单、已付款、已退货或已取消',
  'must be one of price, offer, service, market, reputation, other':
    '应为价格、产品组合、服务不满意、市场/迁居、企业声誉或其他',
  // Complaints (filing, resolution, SLA policies, business hours).
  'is not a complaint category': '不是投诉类别',
  'is too long (at most 4000 bytes)': '太长（最多 4000 字节）',
  'must be 1 (most severe) to 4': '应为 1（最严重）到 4',
  'must be one of hotline, letter, visit, web, wechat, survey, service_center':
    '应为热线、信函、来访、网站、微信、调查或服务中心',
  'must be non-negative and not absurdly large': '不能为负数，也不能大得离谱',
  'must be an ISO 4217 code such as CNY': '应为 ISO 4217 币种代码，例如 CNY',
  'must be at least response_minutes and at most 1000000': '应不少于响应时限，且不超过 1000000',
  'duplicate severity/category/vip': '严重程度、类别与 VIP 的组合重复',
  'must be * or a customer category': '应为 * 或一个客户类别',
  'must be an active service, manager or admin user': '应为在职的客服、经理或管理员',
  // Tasks and interactions.
  'no such active user': '没有这个在职用户',
  'sales may assign tasks only to themselves': '销售只能给自己分配任务',
  'must be an RFC 3339 timestamp': '应为时间（RFC 3339）',
  'must be open, done or cancelled': '应为待办、已完成或已取消',
  'is not an interaction type': '不是互动类型',
  'no such contact of the interaction\'s customers': '不是这些客户的联系人',
  'must be inbound, outbound or internal': '应为呼入、呼出或内部',
  'must not be negative': '不能为负数',
  'is too long': '太长',
};

const CUSTOM_FIELD_TYPES: Record<string, string> = {
  text: '文本',
  number: '数字',
  boolean: '是/否',
  date: '日期（YYYY-MM-DD）',
  select: '选项',
};

const PATTERNS: [RegExp, (m: RegExpExecArray) => string][] = [
  [/^must be at most (\d+) bytes$/, (m) => `最长 ${m[1]} 字节`],
  [/^must be at most (\d+) characters$/, (m) => `最多 ${m[1]} 个字符`],
  [/^same phone as row (\d+)$/, (m) => `与第 ${m[1]} 行的电话相同`],
  [/^same external id as row (\d+)$/, (m) => `与第 ${m[1]} 行的编号相同`],
  [/^belongs to customer (\d+)$/, (m) => `已属于客户 #${m[1]}`],
  [/^belongs to deleted customer (\d+)$/, (m) => `属于已删除的客户 #${m[1]}`],
  [/^has (\d+) columns, the header has (\d+)$/, (m) => `有 ${m[1]} 列，而表头有 ${m[2]} 列`],
  [/^another column already maps to (\S+)$/, (m) => `另一列已对应到 ${m[1]}`],
  [/^must be a valid (\w+)$/, (m) => `应为有效的${CUSTOM_FIELD_TYPES[m[1]] ?? m[1]}`],
  // An import's refusals, shown under the page's headline.
  [/^cannot map these columns: (.*) \(give a mapping, e\.g\. .*\)$/s, (m) => `这些列没有对应的字段：${m[1]}（请为每一列选择字段，或忽略它）`],
  [/^the workbook has no worksheet named “(.*)”; its worksheets are (.*)$/s, (m) => `工作簿中没有名为“${m[1]}”的工作表；现有工作表：${m[2]}`],
];

/** `message` from the server as the workspace in `language` shows it. */
export function localizeServerMessage(message: string, language: string): string {
  if (!language.startsWith('zh')) return message;
  const exact = EXACT[message];
  if (exact !== undefined) return exact;
  for (const [re, zh] of PATTERNS) {
    const m = re.exec(message);
    if (m) return zh(m);
  }
  return message;
}

/** The messages translated word for word, and the fixed parts of the patterns (for the test that
 * checks each against the server's sources). */
export const KNOWN_SERVER_TEXTS = {
  exact: Object.keys(EXACT),
  fragments: [
    'must be at most ',
    ' characters"',
    'same phone as row ',
    'same external id as row ',
    'belongs to customer ',
    'belongs to deleted customer ',
    ' columns, the header has ',
    'another column already maps to ',
    'must be a valid ',
    'cannot map these columns: ',
    ' (give a mapping, e.g. {',
    'the workbook has no worksheet named “',
    '”; its worksheets are ',
  ],
};
