// Demo service history (cli/app.h, GenerateDemoService): what a sales and service team would have
// on record after a few months, so that `make run` opens on a living timeline, a task list and a
// complaint desk. Everything goes through the use cases, as a user would do it; complaints are
// filed and worked on a desk whose clock walks through the past month.

#include <algorithm>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "cli/app.h"
#include "cli/demo_pick.h"
#include "domain/service/complaint_service.h"

namespace kehu::cli {

namespace {

constexpr int64_t kMinute = 60'000, kHour = 60 * kMinute, kDay = 24 * kHour;
constexpr int64_t kShanghai = 8 * kHour;  // the demo org's zone: UTC+8 all year

// A moment on local working hours (09:00-18:00, Monday to Friday) `days_ago` days back.
UnixMillis WorkTime(std::mt19937_64& rng, UnixMillis now, int days_ago) {
  const int64_t local_day = (now + kShanghai) / kDay - days_ago;
  int64_t day = local_day;
  while ((day + 3) % 7 >= 5) --day;  // 1970-01-01 was a Thursday: (day + 3) % 7 is 0 on Mondays
  return day * kDay - kShanghai + 9 * kHour + static_cast<int64_t>(rng() % (9 * 60)) * kMinute;
}

struct DemoStaff {
  std::vector<identity::Principal> service;  // the complaint desk
  int64_t team_id{0};
};

Result<DemoStaff> EnsureServiceStaff(App& app) {
  DemoStaff out;
  KEHU_ASSIGN_OR_RETURN(auto users, app.identity_repo->ListUsers(kDefaultOrg));
  for (const auto& u : users)
    if (u.role == identity::Role::kService && u.active)
      out.service.push_back({.org_id = kDefaultOrg, .user_id = u.id, .name = u.display_name,
                             .role = identity::Role::kService});
  if (out.service.empty()) {
    static constexpr const char* kNames[] = {"赵敏", "钱芳", "孙丽"};
    for (int i = 0; i < 3; ++i) {
      char uname[16];
      std::snprintf(uname, sizeof uname, "kefu%02d", i + 1);
      KEHU_ASSIGN_OR_RETURN(auto u, app.identity->CreateUserUnchecked(
                                        kDefaultOrg, identity::NewUser{.username = uname, .display_name = kNames[i],
                                                                       .role = "service",
                                                                       .password = identity::IdentityService::RandomToken(12)}));
      out.service.push_back({.org_id = kDefaultOrg, .user_id = u.id, .name = u.display_name,
                             .role = identity::Role::kService});
    }
  }
  KEHU_ASSIGN_OR_RETURN(auto teams, app.identity_repo->ListTeams(kDefaultOrg));
  for (const auto& t : teams)
    if (t.name == "客户服务中心") out.team_id = t.id;
  if (out.team_id == 0) {
    std::vector<int64_t> members;
    for (const auto& p : out.service) members.push_back(p.user_id);
    KEHU_ASSIGN_OR_RETURN(auto team, app.identity_repo->CreateTeam(
                                         identity::Team{.org_id = kDefaultOrg, .name = "客户服务中心",
                                                        .lead_user_id = members.front(), .member_ids = members}));
    out.team_id = team.id;
  }
  for (auto& p : out.service) p.team_ids = {out.team_id};
  return out;
}

struct InteractionTemplate {
  const char* type;
  const char* direction;
  const char* subtype;
  const char* subject;
  const char* outcome;
};

constexpr InteractionTemplate kInteractions[] = {
    {"call", "outbound", "", "节前回访：了解春节备货计划", "客户计划追加两箱，下周下单"},
    {"call", "inbound", "", "咨询新品 53 度酱香型价格", "已报价并发送产品资料"},
    {"call", "outbound", "", "订单到货确认", "货已签收，包装完好"},
    {"visit", "outbound", "", "拜访门店，检查陈列与库存", "陈列位置良好，库存约两周用量"},
    {"visit", "outbound", "", "商务洽谈：年度团购方案", "客户倾向年会用酒方案，待报预算"},
    {"wechat", "inbound", "", "微信询问发票开具", "已说明开票流程"},
    {"wechat", "outbound", "", "推送中秋礼盒预订信息", "客户已读，表示考虑"},
    {"email", "outbound", "", "发送季度对账单", "客户确认无误"},
    {"meeting", "internal", "", "经销商季度例会", "确认下季度铺货目标"},
    {"event", "outbound", "tasting", "品鉴会邀请与接待", "到场并试饮三款产品，反馈积极"},
    {"event", "outbound", "factory_visit", "组织客户参观酒厂", "参观酿造车间，建立信任"},
    {"event", "outbound", "year_end_thanks", "年终答谢会", "出席答谢会，续签意向明确"},
    {"sms", "outbound", "", "生日祝福短信", ""},
};

struct ComplaintTemplate {
  const char* category;
  const char* description;
  const char* root_cause;
  const char* resolution;
};

constexpr ComplaintTemplate kComplaints[] = {
    {"product_quality", "收到的酒瓶口有渗漏，外箱受潮。", "灌装线封口压力不足", "补发同款两瓶并致歉，已通知质检"},
    {"product_quality", "酒体有沉淀，担心质量问题。", "低温下酯类析出，属正常现象", "上门说明并提供检测报告，客户认可"},
    {"logistics", "订单已付款五天仍未发货。", "仓库排单遗漏", "加急发出并补偿运费"},
    {"logistics", "快递外包装破损，一瓶碎裂。", "运输途中挤压", "补发并更换加固包装"},
    {"counterfeit", "在第三方平台买到的酒防伪码查询无效，怀疑假货。", "非授权渠道销售", "协助取证并为客户换货，已提交打假"},
    {"service_attitude", "门店导购态度冷淡，不愿介绍产品。", "门店新员工培训不足", "门店致歉，安排服务培训"},
    {"pricing", "团购价比线上活动价还高。", "活动价未同步团购渠道", "补差价并同步价格政策"},
    {"other", "会员积分没有到账。", "积分同步延迟", "手工补录积分"},
};

constexpr const char* kChannels[] = {"hotline", "hotline", "hotline", "wechat", "wechat", "web", "letter", "service_center"};

}  // namespace

Status GenerateDemoService(App& app, uint64_t seed, bool progress) {
  const UnixMillis now = DefaultClock().Now();
  std::mt19937_64 rng(seed ^ 0x5eed5e41ce5ULL);
  KEHU_ASSIGN_OR_RETURN(auto staff, EnsureServiceStaff(app));
  const identity::Principal admin = SystemPrincipal(app);
  KEHU_ASSIGN_OR_RETURN(auto users, app.identity_repo->ListUsers(kDefaultOrg));
  auto principal_of = [&](std::optional<int64_t> owner) {
    if (owner)
      for (const auto& u : users)
        if (u.id == *owner && u.active)
          return identity::Principal{.org_id = kDefaultOrg, .user_id = u.id, .name = u.display_name, .role = u.role};
    return admin;
  };

  // Every live customer, in id order.
  std::vector<customers::Customer> all;
  for (int64_t after = 0;;) {
    KEHU_ASSIGN_OR_RETURN(auto page, app.customer_repo->ListLiveAfter(kDefaultOrg, after, 1000));
    if (page.empty()) break;
    after = page.back().id;
    all.insert(all.end(), std::make_move_iterator(page.begin()), std::make_move_iterator(page.end()));
  }
  if (all.empty()) return Status::Ok();

  // Whole days since a customer was created (GenerateDemo spreads them over three years): no
  // contact or complaint is dated before the customer existed.
  auto age_days = [&](const customers::Customer& c) {
    return static_cast<int>(std::clamp<int64_t>((now - c.created_at) / kDay - 1, 1, 100000));
  };

  // Interactions: about a third of the customers have one to three contacts in the last 120
  // days, logged by their owner.
  int64_t logged = 0;
  for (const auto& c : all) {
    if (rng() % 3 != 0) continue;
    const int window = std::min(120, age_days(c));
    const identity::Principal who = principal_of(c.owner_id);
    for (int k = 1 + static_cast<int>(rng() % 3); k > 0; --k) {
      const auto& t = Pick(rng, kInteractions);
      interactions::InteractionPatch in{.type = std::string(t.type), .direction = std::string(t.direction),
                                        .subject = std::string(t.subject), .outcome = std::string(t.outcome),
                                        .occurred_at = FormatTimestamp(WorkTime(rng, now, 1 + static_cast<int>(rng() % static_cast<uint64_t>(window)))),
                                        .customer_ids = std::vector<int64_t>{c.id}};
      if (*t.subtype) in.subtype = std::string(t.subtype);
      if (std::string_view(t.type) == "call") in.duration_seconds = 60 + static_cast<int64_t>(rng() % 840);
      if (who.user_id != 0)
        in.participants = std::vector<interactions::Participant>{{.kind = "user", .id = who.user_id}};
      KEHU_RETURN_IF_ERROR(app.interactions->Create(who, in));
      ++logged;
    }
  }

  // Follow-up tasks: a few per salesperson, due yesterday (overdue), today and this week.
  int64_t tasks = 0;
  for (const auto& u : users) {
    if (u.role != identity::Role::kSales || !u.active) continue;
    const identity::Principal who = principal_of(u.id);
    std::vector<const customers::Customer*> mine;
    for (const auto& c : all)
      if (c.owner_id == u.id) mine.push_back(&c);
    for (int k = 0; k < 4 && !mine.empty(); ++k) {
      const customers::Customer* c = mine[rng() % mine.size()];
      static constexpr const char* kTitles[] = {"回访：确认节前订货量", "寄送品鉴会邀请函", "跟进团购报价", "催收上月货款"};
      const int64_t due_day = (now + kShanghai) / kDay + (k == 0 ? -1 : k - 1);  // yesterday, today, +1, +2
      const UnixMillis due = due_day * kDay - kShanghai + (16 + k) * kHour;
      KEHU_RETURN_IF_ERROR(app.interactions->CreateTask(
          who, interactions::TaskPatch{.title = std::string(kTitles[k]), .customer_id = std::optional<int64_t>(c->id),
                                       .due_at = FormatTimestamp(due), .assignee_id = u.id}));
      ++tasks;
    }
  }

  // Complaints over the last 30 days (one per 40 customers, 6 to 300), worked on a desk whose clock
  // walks from each filing to the present: most resolved and closed, many with a survey answer,
  // the recent ones and a few older ones still open (so the SLA clocks and escalations show).
  ManualClock desk_clock(now);
  service::ComplaintService desk(*app.service_repo, *app.customers, *app.identity_repo, desk_clock);
  const int64_t n_complaints = std::clamp<int64_t>(static_cast<int64_t>(all.size()) / 40, 6, 300);
  int64_t filed = 0, closed = 0, answered = 0;
  for (int64_t i = 0; i < n_complaints; ++i) {
    const auto& c = all[rng() % all.size()];
    const int days_ago = static_cast<int>(rng() % static_cast<uint64_t>(std::min(30, age_days(c))));
    UnixMillis t = WorkTime(rng, now, days_ago);
    if (t >= now) t = now - 2 * kHour;
    desk_clock.Set(t);
    const auto& tpl = Pick(rng, kComplaints);
    const int sev_roll = static_cast<int>(rng() % 100);
    const int severity = sev_roll < 5 ? 1 : sev_roll < 25 ? 2 : sev_roll < 70 ? 3 : 4;
    const identity::Principal& agent = staff.service[rng() % staff.service.size()];
    KEHU_ASSIGN_OR_RETURN(auto v, desk.Create(agent, service::NewComplaint{.customer_id = c.id,
                                                                         .channel = Pick(rng, kChannels),
                                                                         .category = tpl.category,
                                                                         .severity = severity,
                                                                         .description = tpl.description}));
    ++filed;
    const int64_t id = v.complaint.id;
    // Each step happens a while after the last one, unless that would be in the future.
    auto step = [&](int64_t min_ms, int64_t spread_ms) {
      t += min_ms + static_cast<int64_t>(rng() % static_cast<uint64_t>(spread_ms));
      if (t >= now) return false;
      desk_clock.Set(t);
      return true;
    };
    const bool stays_open = days_ago < 2 ? rng() % 2 == 0 : rng() % 8 == 0;
    if (!step(5 * kMinute, 90 * kMinute)) continue;
    KEHU_ASSIGN_OR_RETURN(v, desk.Assign(agent, id, agent.user_id, staff.team_id));
    if (!step(5 * kMinute, 60 * kMinute)) continue;
    KEHU_ASSIGN_OR_RETURN(v, desk.Transition(agent, id, "in_progress", "已联系客户，正在核实", v.complaint.version));
    if (stays_open || !step(2 * kHour, 40 * kHour)) continue;
    KEHU_ASSIGN_OR_RETURN(v, desk.Resolve(agent, id, service::ResolutionInput{.root_cause = std::string(tpl.root_cause),
                                                                              .resolution_note = std::string(tpl.resolution)}));
    KEHU_ASSIGN_OR_RETURN(v, desk.Transition(agent, id, "resolved", tpl.resolution, v.complaint.version));
    if (!step(kDay, 2 * kDay)) continue;
    KEHU_ASSIGN_OR_RETURN(v, desk.Transition(agent, id, "closed", "客户确认处理结果", v.complaint.version));
    ++closed;
    if (v.survey_token.empty() || rng() % 100 >= 65 || !step(kHour, kDay)) continue;
    const int roll = static_cast<int>(rng() % 100);
    const int csat = roll < 45 ? 5 : roll < 80 ? 4 : roll < 92 ? 3 : roll < 97 ? 2 : 1;
    // Likelihood to recommend, in line with the stars: 5 → 9-10, 4 → 7-9, 3 → 5-7, 2 → 3-5, 1 → 0-2.
    static constexpr int kNpsLow[] = {0, 0, 3, 5, 7, 9};
    const int nps = std::min(10, kNpsLow[csat] + static_cast<int>(rng() % 3));
    static constexpr const char* kComments[] = {"处理很及时，谢谢", "客服耐心", "希望以后不再发生", "", "速度还可以更快"};
    KEHU_RETURN_IF_ERROR(desk.AnswerSurvey(v.survey_token, csat, nps, Pick(rng, kComments)));
    ++answered;
  }
  if (progress)
    std::fprintf(stderr, "demo: %lld interactions, %lld tasks, %lld complaints (%lld closed, %lld surveys answered)\n",
                 static_cast<long long>(logged), static_cast<long long>(tasks), static_cast<long long>(filed),
                 static_cast<long long>(closed), static_cast<long long>(answered));
  return Status::Ok();
}

}  // namespace kehu::cli
