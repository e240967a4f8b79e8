#pragma once
// The SQLite driver behind store/db.h.
//
// One writer connection guarded by a mutex (every Write is BEGIN IMMEDIATE ... COMMIT) and a
// pool of reader connections (every Read is BEGIN ... COMMIT on one connection, so it sees one
// snapshot). A file database runs in WAL mode with synchronous=NORMAL: readers never block the
// writer, and a committed write survives a crash of the process (not necessarily a power loss).
// (A one-shot load's first bulk write goes through a rollback journal instead; see OpenSqlite.)
// ":memory:" is one in-process database shared by all connections of the pool (the memdb VFS);
// it has no WAL, so there a writer's COMMIT waits (busy_timeout, 5 s) for open reads to end.
//
// Callers use store::Open("sqlite:PATH"); this header is for the driver's own extras.

#include <memory>
#include <string>

#include "core/result.h"
#include "store/db.h"

namespace kehu::store::sqlite {

// Opens (creating if needed) the database at path, or a fresh shared in-memory database when
// path is ":memory:". reader_pool_size must be at least 1. A file database checkpoints its WAL
// on a thread of its own whenever checkpoint_frames pages were added to it since the last
// checkpoint; 0 means kDefaultCheckpointBytes' worth at the file's page size. The writer never
// waits for the copy; it only copies the few pages committed while the checkpoint ran, so that
// the WAL can start again from its beginning. A new file is made with 8 KiB pages.
//
// one_shot_load (a process that loads a file and exits: `kehu demo`, `kehu import customers`):
// the file is opened in rollback-journal mode (synchronous=FULL) when no other process has it
// open, and otherwise in WAL mode as usual. The first bulk write of known size up to
// kRollbackLoadMaxRows (Database::WriteBulk) then writes its pages once, straight into the file
// at its COMMIT, instead of into the WAL and a second time at the checkpoint. During it the
// writer keeps every page it changes in memory (cache_spill off: a spill would lock the file
// against the readers that check the next rows), ~1.5 GB for a million customers. Right after
// that write, committed or not, the file goes back to WAL mode and checkpoints start as above;
// so it does at close if no such write came.
// Errors: kUnavailable when the file cannot be opened or configured (message names the path).
inline constexpr int64_t kDefaultCheckpointBytes = 200LL << 20;
inline constexpr int64_t kRollbackLoadMaxRows = 2'000'000;
Result<std::unique_ptr<Database>> OpenSqlite(const std::string& path, int reader_pool_size,
                                             int checkpoint_frames = 0, bool one_shot_load = false);

// Copies the whole database to a new SQLite file at path (replacing whatever database is there)
// with the online backup API, from one reader connection in one step: the copy is one consistent
// snapshot, and in WAL mode writers keep committing while it runs.
// Errors: kInvalidArgument when db is not a SQLite database; kUnavailable when the destination
// cannot be opened or is locked; kInternal for any other SQLite failure.
Status BackupTo(Database& db, const std::string& path);

}  // namespace kehu::store::sqlite
