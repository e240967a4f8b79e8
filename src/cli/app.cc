#include "cli/app.h"

#include <sodium.h>

#include <cstdio>
#include <cstdlib>
#include <atomic>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <algorithm>
#include <cmath>
#include <thread>
#include <chrono>
#include <condition_variable>
#include <deque>

#include <spdlog/spdlog.h>

#include "cli/demo_pick.h"
#include "domain/customers/customer_search.h"
#include "store/migrate.h"
#include "store/repositories.h"

namespace kehu::cli {

Result<std::unique_ptr<App>> OpenApp(const std::string& url, bool migrate, bool one_shot_load) {
  auto app = std::make_unique<App>();
  KEHU_ASSIGN_OR_RETURN(app->db, store::Open(url, store::OpenOptions{.one_shot_load = one_shot_load}));
  if (migrate) KEHU_RETURN_IF_ERROR(store::Migrate(*app->db));
  app->identity_repo = store::MakeIdentityRepository(*app->db);
  app->customer_repo = store::MakeCustomerRepository(*app->db);
  app->identity = std::make_unique<identity::IdentityService>(*app->identity_repo, DefaultClock());
  app->customers = std::make_unique<customers::CustomerService>(*app->customer_repo, DefaultClock());
  app->order_repo = store::MakeOrderRepository(*app->db);
  app->orders = std::make_unique<orders::OrderService>(*app->order_repo, *app->customers, DefaultClock());
  app->order_timeline = std::make_unique<orders::OrderTimelineSource>(*app->orders);
  app->interaction_repo = store::MakeInteractionRepository(*app->db);
  app->interactions = std::make_unique<interactions::InteractionService>(
      *app->interaction_repo, *app->customers, *app->identity_repo, DefaultClock());
  app->pop_hub = std::make_unique<interactions::PopHub>();
  app->telephony = std::make_unique<interactions::TelephonyService>(
      *app->interaction_repo, *app->interactions, *app->customers, *app->identity_repo,
      *app->pop_hub, DefaultClock());
  app->audit_timeline = std::make_unique<interactions::AuditTimelineSource>(*app->interaction_repo);
  app->interaction_timeline =
      std::make_unique<interactions::InteractionTimelineSource>(*app->interactions);
  app->value_repo = store::MakeValueRepository(*app->db);
  app->values = std::make_unique<value::ValueService>(*app->value_repo, *app->customers, DefaultClock(),
                                                      std::max(1u, std::thread::hardware_concurrency()));
  app->service_repo = store::MakeServiceRepository(*app->db);
  app->complaints = std::make_unique<service::ComplaintService>(*app->service_repo, *app->customers,
                                                                *app->identity_repo, DefaultClock());
  if (migrate) {
    KEHU_RETURN_IF_ERROR(app->identity_repo->EnsureOrg(kDefaultOrg, "Kehu", DefaultClock().Now()));
    KEHU_RETURN_IF_ERROR(app->customers->EnsureBuiltinCategories(kDefaultOrg));
    KEHU_RETURN_IF_ERROR(app->customers->EnsureSearchTextState(kDefaultOrg));
    KEHU_RETURN_IF_ERROR(app->complaints->EnsureDefaults(kDefaultOrg));
  }
  return app;
}

Result<std::string> EnsureAdmin(App& app) {
  KEHU_ASSIGN_OR_RETURN(int64_t n, app.identity_repo->CountUsers(kDefaultOrg));
  if (n > 0) return std::string();
  std::string password = identity::IdentityService::RandomToken(12);
  KEHU_ASSIGN_OR_RETURN(auto u, app.identity->CreateUserUnchecked(
                                    kDefaultOrg, identity::NewUser{.username = "admin",
                                                                   .display_name = "管理员 Admin",
                                                                   .role = "admin",
                                                                   .password = password}));
  (void)u;
  return password;
}

identity::Principal SystemPrincipal(App& app) {
  identity::Principal p{.org_id = kDefaultOrg, .user_id = 0, .name = "system", .role = identity::Role::kAdmin};
  auto users = app.identity_repo->ListUsers(kDefaultOrg);
  if (users.ok())
    for (const auto& u : *users)
      if (u.role == identity::Role::kAdmin) {
        p.user_id = u.id;
        break;
      }
  return p;
}

namespace {

constexpr const char* kSurnames[] = {
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "胡", "朱", "高", "林",
    "何", "郭", "马", "罗", "梁", "宋", "郑", "谢", "韩", "唐", "冯", "于", "董", "萧", "程", "曹",
    "袁", "邓", "许", "傅", "沈", "曾", "彭", "吕", "苏", "卢", "蒋", "蔡", "贾", "丁", "魏", "薛",
    "叶", "余", "潘", "杜", "戴", "夏", "钟", "汪", "田", "任", "姜", "范", "方", "石", "姚", "谭",
    "欧阳", "司马", "上官", "诸葛"};
constexpr const char* kGivenChars[] = {
    "伟", "芳", "娜", "秀", "英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟",
    "涛", "明", "超", "霞", "平", "刚", "桂", "华", "小", "晓", "建", "国", "文", "斌", "宇", "浩",
    "凯", "婷", "雪", "琳", "欣", "子", "梓", "涵", "轩", "怡", "佳", "俊", "鹏", "飞", "红", "玉",
    "春", "海", "志", "新", "德", "成", "永", "福", "荣", "金", "兰", "凤", "丹", "萍", "波", "辉"};
constexpr const char* kPlaces[][3] = {
    {"北京市", "北京市", "朝阳区"}, {"上海市", "上海市", "浦东新区"}, {"广东省", "广州市", "天河区"},
    {"广东省", "深圳市", "南山区"}, {"四川省", "成都市", "武侯区"}, {"四川省", "宜宾市", "翠屏区"},
    {"贵州省", "遵义市", "仁怀市"}, {"江苏省", "南京市", "鼓楼区"}, {"江苏省", "宿迁市", "宿城区"},
    {"浙江省", "杭州市", "西湖区"}, {"山东省", "济南市", "历下区"}, {"河南省", "郑州市", "金水区"},
    {"湖北省", "武汉市", "江汉区"}, {"湖南省", "长沙市", "岳麓区"}, {"陕西省", "西安市", "雁塔区"},
    {"重庆市", "重庆市", "渝中区"}, {"天津市", "天津市", "和平区"}, {"福建省", "厦门市", "思明区"},
    {"安徽省", "合肥市", "蜀山区"}, {"辽宁省", "沈阳市", "和平区"}};
constexpr const char* kOrgWords[] = {"恒信", "鸿运", "金盛", "华宇", "瑞丰", "万通", "天和", "兴隆",
                                     "嘉禾", "永泰", "福瑞", "宏达", "锦程", "盛世", "泰和", "鼎新"};
constexpr const char* kOrgKinds[] = {"酒业有限公司", "商贸有限公司", "贸易有限公司", "食品有限公司",
                                     "酒类专卖店", "实业有限公司", "供应链有限公司", "餐饮管理有限公司"};
constexpr const char* kMobilePrefixes[] = {"130", "131", "132", "135", "136", "137", "138", "139",
                                           "150", "151", "152", "158", "159", "186", "187", "188"};
constexpr const char* kTags[] = {"白酒", "宴席", "年节礼品", "高端", "复购", "品鉴会", "企业团购", "社群"};
// Source channels as a Chinese sales team writes them (a free-text field).
constexpr const char* kChannels[] = {"官网", "客服热线", "门店", "经销商推荐", "品鉴会", "微信"};


std::vector<customers::CustomerPatch> MakeDemoBatch(std::mt19937_64& rng, const std::vector<int64_t>& owners,
                                                    uint64_t first_index, int64_t m) {
  std::vector<customers::CustomerPatch> batch;
  batch.reserve(m);
  for (int64_t k = 0; k < m; ++k) {
    const uint64_t idx = first_index + static_cast<uint64_t>(k);
    customers::CustomerPatch p;
    const auto& place = Pick(rng, kPlaces);
    p.address = customers::Address{place[0], place[1], place[2], std::to_string(rng() % 300 + 1) + "号"};
    const bool org = rng() % 5 == 0;
    // Unique mobile numbers: a prefix and an 8-digit suffix from a bijection of the index.
    // Unique mobile numbers: the 8-digit suffix is a bijection of the index (104729 is prime to
    // 10^8), so no two indices share it whatever the prefix; the prefix varies for realism.
    const uint64_t suffix = (idx * 104729ULL + 13579ULL) % 100000000ULL;
    char phone[16];
    std::snprintf(phone, sizeof phone, "%s%08llu", kMobilePrefixes[(idx * 7 + idx / 3) % std::size(kMobilePrefixes)],
                  static_cast<unsigned long long>(suffix));
    p.phones = std::vector<std::string>{phone};
    if (org) {
      p.kind = "organization";
      p.name = std::string(place[1]).substr(0, std::string(place[1]).size() - 3) + Pick(rng, kOrgWords) +
               Pick(rng, kOrgKinds);
      p.category = (rng() % 3 == 0) ? "group_purchase" : (rng() % 2 ? "distributor" : "consignment");
      p.relationship_level = (rng() % 2) ? "proactive" : "partnership";
    } else {
      std::string surname = Pick(rng, kSurnames);
      std::string given = Pick(rng, kGivenChars);
      if (rng() % 3) given += Pick(rng, kGivenChars);
      p.kind = "person";
      p.name = surname + given;
      p.family_name = surname;
      p.given_name = given;
      p.gender = rng() % 2 ? "male" : "female";
      char bday[16];
      std::snprintf(bday, sizeof bday, "%04d-%02d-%02d", static_cast<int>(1955 + rng() % 50),
                    static_cast<int>(1 + rng() % 12), static_cast<int>(1 + rng() % 28));
      p.birthday = std::optional<std::string>(bday);
      p.birthday_lunar = rng() % 4 == 0;
      p.category = (rng() % 4 == 0) ? "group_purchase" : "online_consumer";
      p.relationship_level = (rng() % 2) ? "basic" : "reactive";
      if (rng() % 3 == 0) p.emails = std::vector<std::string>{"c" + std::to_string(idx) + "@example.cn"};
    }
    // A customer base as a distributor network has one: mostly active, a fifth prospects, and few
    // won back (1 in 20). GenerateDemoOrders gives each stage the orders and churn records of its
    // story.
    static constexpr const char* kStages[] = {
        "prospect", "prospect", "prospect", "prospect", "active", "active",  "active", "active", "active", "active",
        "active",   "active",   "active",   "at_risk",  "at_risk", "at_risk", "lost",  "lost",   "lost",   "won_back"};
    p.lifecycle_stage = Pick(rng, kStages);
    p.owner_id = std::optional<int64_t>(owners.empty() ? std::optional<int64_t>() : owners[rng() % owners.size()]);
    p.vip = rng() % 20 == 0;
    p.source_channel = Pick(rng, kChannels);
    std::vector<std::string> tags{Pick(rng, kTags)};
    if (rng() % 2) {
      std::string t2 = Pick(rng, kTags);
      if (t2 != tags[0]) tags.push_back(t2);
    }
    p.tags = tags;
    p.consents = std::vector<customers::ConsentInput>{
        {.channel = "sms", .granted = rng() % 3 != 0, .at = std::nullopt, .source = "demo data"}};
    batch.push_back(std::move(p));
  }
  return batch;
}

}  // namespace

Status GenerateDemo(App& app, int64_t n, bool progress) {
  identity::Principal sys = SystemPrincipal(app);
  // A sales team with owners for the demo customers.
  std::vector<int64_t> owners;
  KEHU_ASSIGN_OR_RETURN(auto users, app.identity_repo->ListUsers(kDefaultOrg));
  for (const auto& u : users)
    if (u.role == identity::Role::kSales) owners.push_back(u.id);
  if (owners.empty()) {
    static constexpr const char* kNames[] = {"张伟", "王芳", "李娜", "刘强", "陈静", "杨磊"};
    for (int i = 0; i < 6; ++i) {
      char uname[16];
      std::snprintf(uname, sizeof uname, "sales%02d", i + 1);
      auto u = app.identity->CreateUserUnchecked(
          kDefaultOrg, identity::NewUser{.username = uname, .display_name = kNames[i], .role = "sales",
                                         .password = identity::IdentityService::RandomToken(12)});
      if (u.ok()) owners.push_back(u->id);
    }
    identity::Team team{.org_id = kDefaultOrg, .name = "华东销售部", .member_ids = owners};
    (void)app.identity_repo->CreateTeam(team);
  }

  // One transaction for the whole set (CustomerService::WriteMany, all or nothing): a producer
  // thread makes and checks each batch (validation, phone normalisation, pinyin, audit entry)
  // while the writer writes the one before, so both cores are busy and the indexes' pages are
  // written once at the commit instead of once per batch (a million customers in 100
  // transactions spent 30 s in COMMIT alone; docs/benchmarks.md).
  // The customers arrive over the last three years, as in a real CRM: each batch is created
  // (and audited) at its own time on a clock of its own, batch b of about 100 at b/100 of the
  // way from three years ago to now, so the list's "created" dates spread out and
  // GenerateDemoOrders gives every customer orders only after it was created.
  const int64_t kBatch = std::clamp<int64_t>(n / 100, 1, 10000);
  const int64_t batches = (n + kBatch - 1) / kBatch;
  const UnixMillis demo_now = DefaultClock().Now();
  const int64_t history_ms = int64_t{kDemoHistoryDays} * 86'400'000;
  const uint64_t seed = static_cast<uint64_t>(DefaultClock().Now()) ^ randombytes_random();
  std::mt19937_64 offset_rng(seed ^ 0x0ff5e7ULL);
  uint64_t offset = (seed >> 8) % 100000000;
  std::optional<Error> failure;
  for (int attempt = 0;; ++attempt) {
    std::mutex mu;
    std::condition_variable cv;
    std::deque<std::vector<customers::CustomerWrite>> ready;  // at most two batches ahead
    bool made_all = false, writer_gone = false;
    std::optional<Error> made_failure;
    std::thread producer([&] {
      std::mt19937_64 rng(seed + static_cast<uint64_t>(attempt) * 7919);
      for (int64_t b = 0; b < batches; ++b) {
        const int64_t first = b * kBatch, m = std::min(kBatch, n - first);
        ManualClock batch_clock(demo_now - history_ms + history_ms / std::max<int64_t>(1, batches) * b);
        customers::CustomerService then(*app.customer_repo, batch_clock);
        auto writes = then.PrepareMany(sys, MakeDemoBatch(rng, owners, static_cast<uint64_t>(first) + offset, m));
        std::unique_lock lock(mu);
        if (!writes.ok()) made_failure = writes.error();
        cv.wait(lock, [&] { return ready.size() < 2 || writer_gone || made_failure; });
        if (writer_gone || made_failure) break;
        ready.push_back(std::move(*writes));
        cv.notify_all();
      }
      std::lock_guard lock(mu);
      made_all = true;
      cv.notify_all();
    });
    int64_t written = 0;
    Status st = app.customers->WriteMany(
        sys,
        [&]() -> Result<std::optional<std::vector<customers::CustomerWrite>>> {
          std::unique_lock lock(mu);
          cv.wait(lock, [&] { return !ready.empty() || made_all || made_failure; });
          if (made_failure) return *made_failure;
          if (ready.empty()) return std::optional<std::vector<customers::CustomerWrite>>();
          auto batch = std::move(ready.front());
          ready.pop_front();
          cv.notify_all();
          lock.unlock();
          const int64_t before_pct = written * 100 / n;
          written += static_cast<int64_t>(batch.size());
          if (progress && (written * 100 / n != before_pct || written == n)) {  // when the percentage moves
            int pct = static_cast<int>(written * 100 / n);
            std::fprintf(stderr, "\rdemo: [%-50s] %3d%% %lld/%lld", std::string(pct / 2, '#').c_str(), pct,
                         static_cast<long long>(written), static_cast<long long>(n));
          }
          return std::optional<std::vector<customers::CustomerWrite>>(std::move(batch));
        },
        n);
    {
      std::lock_guard lock(mu);
      writer_gone = true;
      cv.notify_all();
    }
    producer.join();
    if (st.ok()) break;
    // A phone from an earlier demo run in this database: nothing was written; try another range.
    if (st.error().code == ErrorCode::kAlreadyExists && attempt < 5) {
      if (progress) std::fprintf(stderr, "\rdemo: a phone number is taken; starting again with others\n");
      offset = offset_rng() % 100000000;
      continue;
    }
    failure = st.error();
    break;
  }
  if (failure) return *failure;
  if (progress) std::fprintf(stderr, "\n");
  // Orders and an analytics pass for demo sets of a realistic size; the million-customer data
  // set of `make bench` stays customers only (bench/analytics measures analytics at scale).
  if (n > kDemoOrdersMaxCustomers) {
    if (progress) std::fprintf(stderr, "demo: no orders above %lld customers\n", static_cast<long long>(kDemoOrdersMaxCustomers));
    return Status::Ok();
  }
  KEHU_RETURN_IF_ERROR(GenerateDemoOrders(app, seed));
  if (n >= kDemoServiceMinCustomers) KEHU_RETURN_IF_ERROR(GenerateDemoService(app, seed, progress));
  auto run = app.values->RunForOrg(kDefaultOrg, value::RunRequest{.trigger = "demo"});
  if (!run.ok() && run.error().code != ErrorCode::kAlreadyExists) return run.error();
  return Status::Ok();
}

Status GenerateDemoOrders(App& app, uint64_t seed) {
  const UnixMillis now = DefaultClock().Now();
  const int64_t day_ms = 86'400'000;
  KEHU_ASSIGN_OR_RETURN(auto snap, app.value_repo->ReadSnapshot(kDefaultOrg, now, FormatDate(CivilFromDays(now / day_ms))));
  std::vector<int64_t> with_orders(snap.order_customer);
  std::sort(with_orders.begin(), with_orders.end());
  std::mt19937_64 rng(seed ^ 0x9e3779b97f4a7c15ULL);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  static constexpr const char* kReasons[] = {"price", "offer", "service", "market", "reputation", "other"};
  std::vector<value::BulkOrder> orders;
  std::vector<value::BulkChurn> churn;
  std::vector<int64_t> churn_days;  // churn[k]'s day number
  // Each customer's orders tell the story of their lifecycle stage, so the record, the orders,
  // the churn list and the analytics agree: prospects have not bought yet; active customers
  // buy to this day; at-risk ones stopped two to four of their purchase gaps ago; lost ones
  // stopped five to eighteen months ago and were recorded as lost three to seven months after
  // their last order; won-back ones were recorded as lost, paused, and buy again.
  std::vector<int64_t> without_orders;  // the customers this function gives orders
  for (int64_t id : snap.customer_id)
    if (!std::binary_search(with_orders.begin(), with_orders.end(), id)) without_orders.push_back(id);
  std::map<int64_t, customers::Lifecycle> stage;
  for (size_t i = 0; i < without_orders.size(); i += 1000) {
    std::vector<int64_t> part(without_orders.begin() + static_cast<std::ptrdiff_t>(i),
                              without_orders.begin() +
                                  static_cast<std::ptrdiff_t>(std::min(without_orders.size(), i + 1000)));
    KEHU_ASSIGN_OR_RETURN(auto found, app.customer_repo->GetMany(kDefaultOrg, part));
    for (const auto& c : found) stage[c.id] = c.lifecycle_stage;
  }
  using customers::Lifecycle;
  for (size_t i = 0; i < snap.customer_id.size(); ++i) {
    const int64_t id = snap.customer_id[i];
    const auto st = stage.find(id);
    if (st == stage.end() || st->second == Lifecycle::kProspect) continue;
    const Lifecycle life = st->second;
    const std::string& cat = snap.customer_category[i];
    // Mean days between orders and a typical order (yuan) by customer group.
    double gap = 60, amount = 800;
    if (cat == "distributor") gap = 30, amount = 2400;
    else if (cat == "consignment") gap = 45, amount = 1200;
    else if (cat == "group_purchase") gap = 90, amount = 1600;
    gap *= 0.5 + u(rng) * 1.5;  // customers differ in pace
    // Spend as in the Gamma-Gamma story: each customer's scale varies, orders vary around it.
    std::gamma_distribution<double> scale_spread(4.0, 1.0 / 3.0), order_spread(5.0, 1.0);
    const double customer_scale = amount * scale_spread(rng);
    // Days before now of the first order: some time after the customer was created.
    const double known_days = std::max(1.0, static_cast<double>(now / day_ms - snap.customer_created_day[i]));
    double day = known_days * u(rng);
    // The last order no later than this many days ago; a won-back customer's pause.
    double stop_at = 0, pause_from = 0, pause_to = 0;
    if (life == Lifecycle::kAtRisk) stop_at = gap * (2 + 2 * u(rng));
    if (life == Lifecycle::kLost) stop_at = 150 + 400 * u(rng);
    int64_t churn_ago = -1;  // days before now of the loss record
    if (life == Lifecycle::kWonBack) {
      churn_ago = 60 + static_cast<int64_t>(u(rng) * 300);
      pause_from = static_cast<double>(churn_ago) + 90;
      pause_to = static_cast<double>(churn_ago) - 10 - u(rng) * 40;  // won back after a while
      if (day < pause_from) day = std::min(known_days, pause_from + gap);
    }
    day = std::max(day, std::min(known_days, stop_at));  // at least one order before the stop
    int64_t last_day_ago = -1;
    for (int k = 0; k < 60 && day > 0; ++k) {
      if (day > pause_to && day < pause_from) {  // a won-back customer's pause: no orders
        day = pause_to;
        continue;
      }
      std::string channel = cat == "online_consumer" ? (u(rng) < 0.8 ? "online" : "store")
                            : cat == "distributor"   ? "distributor"
                            : cat == "consignment"   ? "consignment"
                            : cat == "group_purchase" ? (u(rng) < 0.85 ? "group_purchase" : "store")
                                                      : "store";
      const double yuan = customer_scale * order_spread(rng) / 5.0;
      const auto minor = static_cast<int64_t>(yuan * 100);
      const double r = u(rng);
      orders.push_back({.customer_id = id,
                        .ordered_at = now - static_cast<int64_t>(day * day_ms) - static_cast<int64_t>(u(rng) * 10 * 3'600'000),  // never in the future
                        .channel = channel,
                        .amount_minor = minor,
                        .cost_minor = static_cast<int64_t>(static_cast<double>(minor) * (0.55 + 0.15 * u(rng))),
                        .status = r < 0.03 ? "returned" : r < 0.05 ? "cancelled" : "paid"});
      last_day_ago = static_cast<int64_t>(day);
      const double next = day - gap * -std::log(1.0 - u(rng) * 0.999);
      if (next < stop_at) break;
      day = next;
    }
    if (life == Lifecycle::kLost && last_day_ago > 0) {
      // (A customer who came less than three months ago and is already lost: any day since.)
      const int64_t latest = std::min<int64_t>(210, last_day_ago), earliest = latest < 90 ? 0 : 90;
      churn_ago = last_day_ago - earliest - static_cast<int64_t>(u(rng) * static_cast<double>(latest - earliest));
    }
    if (churn_ago >= 0) {
      const int64_t churn_day = now / day_ms - churn_ago;
      value::BulkChurn rec{.customer_id = id, .churned_on = FormatDate(CivilFromDays(churn_day)),
                           .reason = kReasons[rng() % std::size(kReasons)]};
      if (life == Lifecycle::kWonBack) rec.won_back_at = now - static_cast<int64_t>(std::max(0.0, pause_to) * day_ms);
      churn.push_back(std::move(rec));
      churn_days.push_back(churn_day);
    }
  }
  for (size_t i = 0; i < orders.size(); i += 20000) {
    std::vector<value::BulkOrder> part(orders.begin() + static_cast<std::ptrdiff_t>(i),
                                       orders.begin() + static_cast<std::ptrdiff_t>(std::min(orders.size(), i + 20000)));
    KEHU_RETURN_IF_ERROR(app.value_repo->InsertOrders(kDefaultOrg, part, now));
  }
  // Each loss with the profit it cost as recording it that day would have given (before any
  // analytics run): the customer's margin over the twelve months before.
  for (size_t k = 0; k < churn.size(); ++k) {
    const UnixMillis on = churn_days[k] * day_ms;
    KEHU_ASSIGN_OR_RETURN(auto margin, app.order_repo->Margin(kDefaultOrg, churn[k].customer_id, on - 365 * day_ms, on));
    if (margin) churn[k].lost_profit_minor = *margin, churn[k].lost_profit_basis = "trailing_margin";
  }
  return app.value_repo->InsertChurnRecords(kDefaultOrg, churn, now);
}

Status RebuildSearchTexts(App& app, bool all, const std::atomic<bool>& stop, bool background) {
  KEHU_ASSIGN_OR_RETURN(auto orgs, app.customers->OrgsWithOldSearchTexts(/*every_org=*/all));
  for (int64_t org : orgs) {
    if (stop) return Status::Ok();
    const auto t0 = std::chrono::steady_clock::now();
    if (background) spdlog::info("search texts of org {}: rebuilding (older than version {})", org, customers::kSearchTextVersion);
    int64_t last_logged = 0;
    auto batch_start = std::chrono::steady_clock::now();
    auto done = app.customers->RebuildSearchTexts(org, [&](const customers::CustomerService::RebuildProgress& p) {
      if (background) {
        // As long a pause as the batch took: the writer is free at least half the time for the
        // requests being served (a batch of 100 on a million customers holds it ~50 ms).
        const auto took = std::chrono::steady_clock::now() - batch_start;
        const auto pause = std::min<std::chrono::steady_clock::duration>(took, std::chrono::milliseconds(200));
        for (auto until = std::chrono::steady_clock::now() + pause; !stop && std::chrono::steady_clock::now() < until;)
          std::this_thread::sleep_for(std::chrono::milliseconds(5));
        batch_start = std::chrono::steady_clock::now();
      }
      if (!background && p.scanned - last_logged >= 10000) {
        last_logged = p.scanned;
        std::fprintf(stderr, "\rreindex: org %lld: %lld customers read, %lld rewritten", static_cast<long long>(org),
                     static_cast<long long>(p.scanned), static_cast<long long>(p.rewritten));
      } else if (background && p.scanned - last_logged >= 100000) {
        spdlog::info("search texts of org {}: {} customers read, {} rewritten", org, p.scanned, p.rewritten);
        last_logged = p.scanned;
      }
      return !stop;
    }, background ? 100 : 500);
    if (!done.ok()) return done.error();
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (stop) {
      if (background) spdlog::info("search texts of org {}: stopped after {} customers (the next start rebuilds it)", org, done->scanned);
      return Status::Ok();
    }
    if (!background)
      std::fprintf(stderr, "\rreindex: org %lld: %lld customers read, %lld rewritten, %.1f s\n", static_cast<long long>(org),
                   static_cast<long long>(done->scanned), static_cast<long long>(done->rewritten), secs);
    else
      spdlog::info("search texts of org {}: {} customers read, {} rewritten, {:.1f} s; version {}", org, done->scanned,
                   done->rewritten, secs, customers::kSearchTextVersion);
  }
  return Status::Ok();
}

}  // namespace kehu::cli
