#pragma once
// The customers port: store/ implements it for SQLite and PostgreSQL. The domain decides what
// to write (full new state, search texts, audit entry); the repository writes it atomically.

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "domain/customers/customer.h"
#include "domain/identity/identity.h"

namespace kehu::customers {

// Folded texts the repository indexes for search (see customer_search.h).
struct SearchText {
  std::string doc{};        // trigram index: substrings of names, pinyin, phones, emails, ...
  std::string tokens{};     // token index: every CJK character its own token, pinyin words
  std::string name_sort{};  // pinyin of the name: sorts Chinese names the way users expect
  std::string name_fold{};  // Simplified, lower-case name without spaces (duplicate finding)
};

// One customer write inside a transaction: the complete new state plus what to index and audit.
struct CustomerWrite {
  Customer customer{};
  int64_t expected_version{0};  // 0 when creating; otherwise the version the caller saw
  SearchText search{};
  identity::AuditEntry audit{};
  bool index_contacts{true};    // keep phone/email/tag index rows (false once deleted/merged/erased)
  // Erasure: these fields' before/after values in the object's earlier audit entries are
  // replaced by "[erased]" (who, when and which field stay).
  std::vector<std::string> redact_audit_fields{};
};

enum class SortKey { kCreatedAt, kUpdatedAt, kName };

// A folded search (see customer_search.h): rows must match any of these.
struct SearchSpec {
  std::vector<std::string> token_prefixes{};  // each a phrase, matched as a prefix phrase
  // The phrases are whole Chinese characters, each a token of its own: the last one is matched
  // exactly, not as a prefix (same matches; a prefix makes FTS5 gather every hit up front).
  bool whole_tokens{false};
  std::string substring{};                    // >= 3 characters, matched anywhere in doc
};

struct ListQuery {
  int64_t org_id{0};
  identity::Visibility visibility{};
  std::optional<SearchSpec> search{};
  std::optional<std::string> category{};
  std::optional<std::string> lifecycle_stage{};
  std::optional<std::string> relationship_level{};
  std::optional<std::string> kind{};
  std::optional<std::string> tag{};
  std::optional<int64_t> owner_id{};
  std::optional<bool> vip{};
  SortKey sort{SortKey::kCreatedAt};
  bool descending{true};
  std::optional<std::string> after_key{};  // keyset pagination: rows strictly after (key, id)
  int64_t after_id{0};
  int limit{50};
};

// A customer's new search texts, written only while its row still has `version`.
struct SearchRewrite {
  int64_t id{0};
  int64_t version{0};
  SearchText search{};
};

struct DuplicateCandidate {
  int64_t customer_id{0};
  std::vector<std::string> reasons{};  // "phone", "email", "name"
};

class CustomerRepository {
 public:
  virtual ~CustomerRepository() = default;

  // Creates or updates every customer in `writes` in one transaction (all or nothing).
  // Assigns ids to created customers (expected_version 0) and returns the written states.
  // Errors: kAlreadyExists with conflict_id when a phone, email or external id is held by
  // another live customer of the org; kAborted when a row's version is not expected_version;
  // kNotFound when an updated row does not exist.
  virtual Result<std::vector<Customer>> Write(std::vector<CustomerWrite> writes) = 0;
  // As Write, calling done with the result once the transaction has committed or failed, on
  // whichever thread ran it (done must be quick and must not write). With AsyncWrites() the
  // caller does not wait; the default runs Write and then calls done on the calling thread.
  using WriteDone = std::function<void(Result<std::vector<Customer>>)>;
  virtual void WriteAsync(std::vector<CustomerWrite> writes, WriteDone done) { done(Write(std::move(writes))); }
  virtual bool AsyncWrites() const { return false; }

  // Bulk loads (imports): writes every batch `next` hands out, in one transaction (all or
  // nothing), without keeping the written states. `next` returns the next batch, an empty
  // optional when there are no more (then it commits), or an error (then everything is rolled
  // back and that error returned). Errors as for Write. expected_rows (0: unknown) is how many
  // rows the stream will bring: a store may prepare differently for a load much larger than
  // what it holds.
  using NextBatch = std::function<Result<std::optional<std::vector<CustomerWrite>>>()>;
  virtual Status WriteStream(const NextBatch& next, int64_t expected_rows = 0) = 0;
  // True when reads (lookups) may run while a WriteStream is open, so a bulk load can check its
  // next batch while the last one is written; false: check everything first.
  virtual bool ReadsDuringWrites() const = 0;

  // Merges `from` into `survivor` in one transaction: survivor_write is the survivor's new
  // state, from_write the merged one's (merged_into set, index rows dropped); contacts and
  // shares move to the survivor; both audit entries are appended.
  virtual Result<Customer> Merge(CustomerWrite survivor_write, CustomerWrite from_write) = 0;

  // Any customer of the org by id, including deleted, merged and erased ones.
  virtual Result<std::optional<Customer>> Get(int64_t org_id, int64_t id) = 0;
  virtual Result<std::vector<Customer>> GetMany(int64_t org_id, const std::vector<int64_t>& ids) = 0;
  // True when the principal's visibility rules admit this customer.
  virtual Result<bool> IsVisible(int64_t org_id, int64_t id, const identity::Visibility& v) = 0;
  // What an access check needs, in one indexed read (no phones, emails or shares loaded).
  struct AccessState {
    bool exists{false};
    bool deleted{false};
    std::optional<int64_t> merged_into{};
    bool visible{false};  // the visibility rules admit it
  };
  virtual Result<AccessState> Access(int64_t org_id, int64_t id, const identity::Visibility& v) = 0;
  // Live (not deleted or merged) customers matching the query, in the query's order.
  virtual Result<std::vector<Customer>> List(const ListQuery& q) = 0;
  // The live customer holding this E.164 phone, if any.
  virtual Result<std::optional<Customer>> FindByPhone(int64_t org_id, const std::string& e164) = 0;
  // Any customer of the org with this external id (including deleted ones), if any.
  virtual Result<std::optional<Customer>> FindByExternalId(int64_t org_id, const std::string& external_id) = 0;
  // Live customers that may be the same as `c`: a contact of theirs has c's phone/email or the
  // reverse, or their folded name or pinyin equals c's.
  virtual Result<std::vector<DuplicateCandidate>> FindDuplicates(const Customer& c,
                                                                 const SearchText& search) = 0;

  // Contacts of a customer (live only).
  virtual Result<std::vector<Contact>> ListContacts(int64_t org_id, int64_t customer_id) = 0;
  virtual Result<std::optional<Contact>> GetContact(int64_t org_id, int64_t id) = 0;
  // Create when contact.id == 0 (expected_version ignored); update otherwise (kAborted when
  // stale); delete when `remove`. Appends the audit entry in the same transaction.
  virtual Result<Contact> WriteContact(const Contact& contact, int64_t expected_version,
                                       bool remove, const identity::AuditEntry& audit) = 0;

  virtual Result<std::vector<Category>> ListCategories(int64_t org_id) = 0;
  virtual Result<Category> CreateCategory(const Category& c) = 0;
  virtual Result<std::vector<CustomFieldDef>> ListFieldDefs(int64_t org_id) = 0;
  virtual Result<CustomFieldDef> CreateFieldDef(const CustomFieldDef& d) = 0;
  virtual Status DeleteFieldDef(int64_t org_id, int64_t id) = 0;
  virtual Result<std::vector<SavedView>> ListSavedViews(int64_t org_id, int64_t user_id) = 0;
  virtual Result<SavedView> CreateSavedView(const SavedView& v) = 0;
  virtual Status DeleteSavedView(int64_t org_id, int64_t user_id, int64_t id) = 0;

  // Search texts of stored customers (see CustomerService::RebuildSearchTexts).
  // Every org with the version of BuildSearchText its index was last rebuilt with; an org
  // without a record has kFirstRecordedSearchTextVersion.
  virtual Result<std::vector<std::pair<int64_t, int>>> SearchTextVersions() = 0;
  virtual Status SetSearchTextVersion(int64_t org_id, int version, UnixMillis now) = 0;
  // Records `version` for an org that has no record and no customer row at all (so no texts of
  // an older version), in one statement; otherwise changes nothing.
  virtual Status SetSearchTextVersionIfNoCustomers(int64_t org_id, int version, UnixMillis now) = 0;
  // Live customers (not deleted or merged) with id > after_id, in id order, at most `limit`.
  virtual Result<std::vector<Customer>> ListLiveAfter(int64_t org_id, int64_t after_id, int limit) = 0;
  // In one transaction, replaces the indexed texts of each customer whose row is still live and
  // at rows[i].version (a customer written since keeps the texts of that write); a text already
  // equal is left alone. Returns how many customers' texts changed. No audit entry: the
  // customer's data does not change, only what the indexes derive from it.
  virtual Result<int64_t> RewriteSearchTexts(int64_t org_id, const std::vector<SearchRewrite>& rows) = 0;
  // One bounded step (about `pages` index pages) of merging the search indexes' segments, in a
  // write transaction of its own; true when it found work, false when nothing was left to merge
  // (always false where the database merges its indexes by itself, as PostgreSQL's GIN does).
  virtual Result<bool> MergeSearchIndex(int pages) = 0;
};

// Search-text versions: the version an org without a record has (the texts written by every
// binary since the record was introduced, until a version change says otherwise).
inline constexpr int kFirstRecordedSearchTextVersion = 2;

}  // namespace kehu::customers
