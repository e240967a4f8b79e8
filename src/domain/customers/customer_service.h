#pragma once
// Customer use cases: create, read, list/search, patch, delete, erase, duplicates and merge,
// contacts, categories, custom field definitions, saved views, and the screen-pop lookup.
// Every call is checked against the principal's org and role: a customer the principal may not
// see is kNotFound, a write the role may not make is kPermissionDenied.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string_view>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "core/time.h"
#include "domain/customers/customer.h"
#include "domain/customers/customer_import.h"
#include "domain/customers/customer_repository.h"
#include "domain/identity/identity.h"

namespace kehu::customers {

struct ConsentInput {
  std::string channel{};
  bool granted{false};
  std::optional<std::string> at{};  // RFC 3339; default: now
  std::string source{};
};

// A partial customer: only the fields present are changed. For create, absent fields take
// their defaults and `name` is required. Enumerations arrive as text and are validated here.
struct CustomerPatch {
  std::optional<std::string> kind{};
  std::optional<std::string> name{};
  std::optional<std::string> family_name{};
  std::optional<std::string> given_name{};
  std::optional<std::string> gender{};
  std::optional<std::optional<std::string>> birthday{};  // inner nullopt clears it
  std::optional<bool> birthday_lunar{};
  std::optional<std::string> category{};
  std::optional<std::string> lifecycle_stage{};
  std::optional<std::string> relationship_level{};
  std::optional<std::optional<int64_t>> owner_id{};
  std::optional<std::vector<int64_t>> shared_with{};
  std::optional<std::vector<std::string>> tags{};
  std::optional<std::string> source_channel{};
  std::optional<bool> vip{};
  std::optional<std::optional<std::string>> external_id{};
  std::optional<std::string> organization{};
  std::optional<std::string> note{};
  std::optional<Address> address{};
  std::optional<std::vector<std::string>> phones{};
  std::optional<std::vector<std::string>> emails{};
  std::optional<std::vector<ConsentInput>> consents{};
  std::optional<std::map<std::string, FieldValue>> custom_fields{};
};

struct ContactPatch {
  std::optional<std::string> name{};
  std::optional<std::string> title{};
  std::optional<std::string> role{};
  std::optional<std::vector<std::string>> phones{};
  std::optional<std::vector<std::string>> emails{};
  std::optional<std::string> note{};
};

struct ListRequest {
  std::string q{};
  std::optional<std::string> category{};
  std::optional<std::string> lifecycle_stage{};
  std::optional<std::string> relationship_level{};
  std::optional<std::string> kind{};
  std::optional<std::string> tag{};
  std::optional<int64_t> owner_id{};
  std::optional<bool> vip{};
  std::string sort{"-created_at"};
  std::string cursor{};
  int limit{50};
};

struct Page {
  std::vector<Customer> items{};
  std::optional<std::string> next_cursor{};
};

struct Duplicate {
  Customer customer{};
  std::vector<std::string> reasons{};
};

struct BulkRequest {
  std::vector<int64_t> ids{};
  std::optional<int64_t> owner_id{};
  std::vector<std::string> add_tags{};
};

// Error raised when a customer id was merged: kNotFound is wrong, the caller should follow.
struct Moved {
  int64_t survivor_id{0};
};

class CustomerService {
 public:
  CustomerService(CustomerRepository& repo, const Clock& clock) : repo_(repo), clock_(clock) {}

  // Errors: kInvalidArgument with one FieldError per bad field; kAlreadyExists with conflict_id
  // for a phone/email/external id another customer holds; kPermissionDenied for read-only roles.
  Result<Customer> Create(const identity::Principal& p, const CustomerPatch& in);
  // As Create, calling done with the result. The checks run on the calling thread, and a bad
  // request gets its answer there; when the repository writes asynchronously (SQLite), the
  // write joins the writer's queue and done runs on the writer's thread after the commit, so
  // done must only hand the result on (it must not write).
  void CreateAsync(const identity::Principal& p, const CustomerPatch& in,
                   std::function<void(Result<Customer>)> done);
  bool AsyncCreates() const { return repo_.AsyncWrites(); }
  // Creates many customers in one transaction (imports, demo data): all or nothing. Errors as
  // Create; field names are prefixed with the row: "[12].phones[0]".
  Result<std::vector<Customer>> CreateMany(const identity::Principal& p,
                                           const std::vector<CustomerPatch>& in);
  // CreateMany in two steps, for a bulk load too large for one call (demo data): PrepareMany
  // checks a batch as CreateMany does and returns its writes, so one thread can check the next
  // batch while another writes the last; WriteMany writes every batch `next` hands out in one
  // transaction (CustomerRepository::WriteStream: all or nothing).
  Result<std::vector<CustomerWrite>> PrepareMany(const identity::Principal& p,
                                                 const std::vector<CustomerPatch>& in);
  Status WriteMany(const identity::Principal& p, const CustomerRepository::NextBatch& next,
                   int64_t expected_rows = 0);
  // Errors: kNotFound (absent, deleted, or not visible). A merged id yields kNotFound with
  // conflict_id set to the survivor (the API answers 301 to it).
  Result<Customer> Get(const identity::Principal& p, int64_t id);
  // Errors: kInvalidArgument for a bad filter, sort or cursor.
  Result<Page> List(const identity::Principal& p, const ListRequest& req);
  // Errors: as Create, plus kAborted when expected_version is stale (the error's message says
  // the current version).
  Result<Customer> Update(const identity::Principal& p, int64_t id, int64_t expected_version,
                          const CustomerPatch& patch);
  Status Delete(const identity::Principal& p, int64_t id, std::optional<int64_t> expected_version);
  // Admin only: blanks personal data (names, phones, emails, birthday, address, notes, custom
  // fields, contacts' data) for a PIPL/GDPR request; keeps id, category, stages, dates.
  Result<Customer> Erase(const identity::Principal& p, int64_t id);
  Result<std::vector<Duplicate>> Duplicates(const identity::Principal& p, int64_t id);
  // Moves from_id into id. Errors: kInvalidArgument (same id), kNotFound, kPermissionDenied.
  Result<Customer> Merge(const identity::Principal& p, int64_t id, int64_t from_id);
  // Imports a CSV file or an XLSX workbook (see customer_import.h). Errors: kInvalidArgument for
  // a file that cannot be read at all (encoding, unterminated quote, a damaged workbook, no
  // header, no column for the name, unknown headers); row problems are in the report, and then nothing is written.
  Result<ImportReport> Import(const identity::Principal& p, std::string_view bytes,
                              const ImportOptions& options, const ImportProgress& progress = {},
                              const ReadingProgress& reading = {});

  // Screen pop: the live visible customer holding this phone (any format).
  Result<Customer> LookupByPhone(const identity::Principal& p, const std::string& phone);
  Result<int64_t> Bulk(const identity::Principal& p, const BulkRequest& req);
  // kNotFound unless the principal may see the customer (for audit and timeline readers).
  Status CheckVisible(const identity::Principal& p, int64_t id);

  Result<std::vector<Contact>> ListContacts(const identity::Principal& p, int64_t customer_id);
  Result<Contact> CreateContact(const identity::Principal& p, int64_t customer_id,
                                const ContactPatch& in);
  Result<Contact> UpdateContact(const identity::Principal& p, int64_t customer_id,
                                int64_t contact_id, int64_t expected_version,
                                const ContactPatch& patch);
  Status DeleteContact(const identity::Principal& p, int64_t customer_id, int64_t contact_id);

  Result<std::vector<Category>> ListCategories(const identity::Principal& p);
  Result<Category> CreateCategory(const identity::Principal& p, const Category& in);
  Result<std::vector<CustomFieldDef>> ListFieldDefs(const identity::Principal& p);
  Result<CustomFieldDef> CreateFieldDef(const identity::Principal& p, const CustomFieldDef& in);
  Status DeleteFieldDef(const identity::Principal& p, int64_t id);
  Result<std::vector<SavedView>> ListSavedViews(const identity::Principal& p);
  Result<SavedView> CreateSavedView(const identity::Principal& p, const SavedView& in);
  Status DeleteSavedView(const identity::Principal& p, int64_t id);

  // Creates the built-in categories for an org when missing (first start, migrations).
  Status EnsureBuiltinCategories(int64_t org_id);

  // Search texts of stored customers (kSearchTextVersion in customer_search.h).
  struct RebuildProgress {
    int64_t scanned{0};    // live customers read
    int64_t rewritten{0};  // of which the texts changed
  };
  // Records this binary's kSearchTextVersion for an org that has no customer yet (a new org, or
  // the first start on an empty database), so its texts, all written from now on, are never
  // taken for an older version's and rebuilt at start. An org with customers is left as it is.
  Status EnsureSearchTextState(int64_t org_id);
  // Orgs whose index holds the texts of an older BuildSearchText than this binary's (every org
  // when every_org is set).
  Result<std::vector<int64_t>> OrgsWithOldSearchTexts(bool every_org = false);
  // Rebuilds every live customer's search texts from its stored fields, `batch` customers per
  // write transaction, then records kSearchTextVersion for the org. `keep_going` is asked before
  // each batch after the first; false stops early (nothing is recorded, and the next rebuild
  // starts over). A
  // customer written meanwhile keeps the texts of that write. Searches work throughout: each
  // row has its old texts or its new ones.
  Result<RebuildProgress> RebuildSearchTexts(int64_t org_id,
                                             const std::function<bool(const RebuildProgress&)>& keep_going = {},
                                             int batch = 500);

 private:
  // Create's checks: the row to write, or why not.
  Result<CustomerWrite> PrepareCreate(const identity::Principal& p, const CustomerPatch& in);
  Result<Customer> LoadVisible(const identity::Principal& p, int64_t id);
  struct Rules {
    std::vector<Category> categories{};
    std::vector<CustomFieldDef> field_defs{};
  };
  // Reads the org's categories and custom field definitions (and refreshes the cache below).
  Result<Rules> LoadRules(int64_t org_id);
  // The same, reused for kRulesCacheMs after a read, for the single-customer create and update
  // (two read transactions less on every create). Changes made through this service empty the
  // cache at once; a change made by another process (a second server on PostgreSQL) is seen
  // within kRulesCacheMs. A create or update the cached rules refuse is checked again against
  // fresh rules, so a category or field added elsewhere is never refused.
  Result<std::shared_ptr<const Rules>> CachedRules(int64_t org_id, bool* from_cache);
  void ForgetRules();
  Status Apply(const identity::Principal& p, const Rules& rules, const CustomerPatch& in,
               Customer& c, const Customer* before);

  CustomerRepository& repo_;
  const Clock& clock_;

  static constexpr int64_t kRulesCacheMs = 2000;
  struct CachedRulesEntry {
    std::shared_ptr<const Rules> rules{};
    UnixMillis until{0};
  };
  std::mutex rules_mu_;
  std::map<int64_t, CachedRulesEntry> rules_cache_;  // by org id, guarded by rules_mu_
  uint64_t rules_generation_{0};                     // bumped by ForgetRules, guarded by rules_mu_
};

// The audit changes from before to after (before == nullptr: a creation), and an audit entry.
std::vector<identity::FieldChange> Diff(const Customer* before, const Customer& after);
identity::AuditEntry Audit(const identity::Principal& p, const std::string& action,
                           const std::string& entity, int64_t id,
                           std::vector<identity::FieldChange> changes, UnixMillis now);

// Limits, exposed for tests and the API document.
inline constexpr size_t kMaxNameBytes = 200;
inline constexpr size_t kMaxTextBytes = 200;
inline constexpr size_t kMaxNoteBytes = 4000;
inline constexpr size_t kMaxListItems = 20;
inline constexpr size_t kMaxTagBytes = 50;

}  // namespace kehu::customers
