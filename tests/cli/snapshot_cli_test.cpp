// End-to-end tests of data snapshots: a rerun over unchanged data reads the store back from
// `.relc-cache` and reports the same bytes; a changed, corrupt or foreign snapshot is never read.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "cli_test.h"

namespace fs = std::filesystem;

namespace {

// A copy of generated data of its own: the tests below change its files.
fs::path CopyOfData(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / ("relc_snapshot_test_" + name);
  fs::remove_all(dir);
  fs::create_directories(dir);
  const fs::path generated = GeneratedData(2000, 3);
  for (const char* file : {"customers.csv", "events.csv"}) fs::copy_file(generated / file, dir / file);
  return dir;
}

// The folder's files ending in `extension`.
std::vector<fs::path> Snapshots(const fs::path& folder, const std::string& extension = ".snapshot") {
  std::vector<fs::path> files;
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(folder, error)) {
    if (entry.path().extension() == extension) files.push_back(entry.path());
  }
  return files;
}

std::string RunJson(const fs::path& data, const std::string& extra = "") {
  Result run = Relc("run examples/winback/winback.rel --as-of 2026-01-01 --format json --data " + data.string() + " " + extra);
  REQUIRE(run.exit_code == 0);
  return run.out;
}

// Overwrites the bytes at `offset` of a file, keeping its size and its modification time.
void OverwriteKeepingTime(const fs::path& file, size_t offset, const std::string& bytes) {
  const fs::file_time_type time = fs::last_write_time(file);
  {
    std::fstream stream(file, std::ios::in | std::ios::out | std::ios::binary);
    stream.seekp(static_cast<std::streamoff>(offset));
    stream.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  }
  fs::last_write_time(file, time);
}

}  // namespace

TEST_CASE("a rerun reads the data snapshot and reports the same bytes as a load of the CSV files", "[cli][snapshot]") {
  const fs::path data = CopyOfData("rerun");
  const std::string from_csv = RunJson(data, "--no-cache");
  CHECK_FALSE(fs::exists(data / ".relc-cache"));  // --no-cache writes nothing
  CHECK(RunJson(data) == from_csv);                // reads the CSV, writes the snapshot
  REQUIRE(Snapshots(data / ".relc-cache").size() == 1);
  CHECK(RunJson(data) == from_csv);  // reads the snapshot
  CHECK(RunJson(data, "--threads 1") == from_csv);
  const std::string panels = "panels examples/winback/winback.rel --as-of 2026-01-01 --format json --data " + data.string();
  Result panels_from_csv = Relc(panels + " --no-cache"), panels_twice = Relc(panels);
  CHECK(Relc(panels).out == panels_from_csv.out);
  CHECK(panels_twice.out == panels_from_csv.out);
}

TEST_CASE("a snapshot is read: an edit that keeps a file's size, time and ends goes unseen", "[cli][snapshot]") {
  // The key holds each file's size, modification time and a hash of its first and last 64 KB:
  // a same-length edit in the middle of a file, its time put back, keeps the key. That the run
  // then still succeeds shows it read the snapshot; the CSV now has a bad row.
  const fs::path data = CopyOfData("unseen");
  const std::string before = RunJson(data);
  const fs::path events = data / "events.csv";
  const std::string text = ReadFile(events.string());
  REQUIRE(text.size() > 3 * (64 << 10));
  const size_t visit = text.find(",visit,", text.size() / 2);
  REQUIRE(visit != std::string::npos);
  OverwriteKeepingTime(events, visit, ",visiX,");
  CHECK(RunJson(data) == before);
  Result from_csv = Relc("run examples/winback/winback.rel --as-of 2026-01-01 --no-cache --data " + data.string());
  CHECK(from_csv.exit_code == 1);
  CHECK(from_csv.out.empty());
}

TEST_CASE("a changed data file is loaded again and gets a snapshot of its own", "[cli][snapshot]") {
  const fs::path data = CopyOfData("changed");
  const std::string before = RunJson(data);
  std::ofstream(data / "events.csv", std::ios::app) << "C0000001,purchase,2025-12-30T10:00:00,1234.00,,,,,,,\n";
  const std::string after = RunJson(data);
  CHECK(after != before);
  CHECK(after == RunJson(data, "--no-cache"));
  CHECK(Snapshots(data / ".relc-cache").size() == 2);
  CHECK(RunJson(data) == after);
}

TEST_CASE("a corrupt or cut snapshot is not read, and is written anew", "[cli][snapshot]") {
  const fs::path data = CopyOfData("corrupt");
  const std::string from_csv = RunJson(data);
  const std::vector<fs::path> snapshots = Snapshots(data / ".relc-cache");
  REQUIRE(snapshots.size() == 1);
  const fs::path snapshot = snapshots.front();
  const std::string whole = ReadFile(snapshot.string());
  // Zeros over a block in the middle, as a crash before the data reached the disk can leave.
  OverwriteKeepingTime(snapshot, whole.size() / 2, std::string(4096, '\0'));
  CHECK(RunJson(data) == from_csv);
  CHECK(ReadFile(snapshot.string()) == whole);
  fs::resize_file(snapshot, whole.size() / 3);
  CHECK(RunJson(data) == from_csv);
  CHECK(ReadFile(snapshot.string()) == whole);
}

TEST_CASE("snapshots go to the folder that --cache names, not beside the data", "[cli][snapshot]") {
  const fs::path data = CopyOfData("elsewhere");
  const fs::path cache = fs::temp_directory_path() / "relc_snapshot_test_cache";
  fs::remove_all(cache);
  const std::string from_csv = RunJson(data, "--no-cache");
  CHECK(RunJson(data, "--cache " + cache.string()) == from_csv);
  CHECK(Snapshots(cache).size() == 1);
  CHECK_FALSE(fs::exists(data / ".relc-cache"));
  CHECK(RunJson(data, "--cache " + cache.string()) == from_csv);
}

TEST_CASE("the measures are kept beside the snapshot, one file per as-of date, and reread as computed", "[cli][snapshot]") {
  const fs::path data = CopyOfData("measures");
  const fs::path cache = data / ".relc-cache";
  const std::string from_csv = RunJson(data, "--no-cache");
  CHECK(RunJson(data) == from_csv);
  REQUIRE(Snapshots(cache, ".measures").size() == 1);
  CHECK(RunJson(data) == from_csv);  // store and measures from the cache
  // Another date: measures of its own, as the files give them.
  auto as_of = [&](const std::string& extra) {
    Result run = Relc("run examples/winback/winback.rel --as-of 2025-11-01 --format json --data " + data.string() + " " + extra);
    REQUIRE(run.exit_code == 0);
    return run.out;
  };
  const std::string earlier = as_of("--no-cache");
  CHECK(earlier != from_csv);
  CHECK(as_of("") == earlier);
  CHECK(Snapshots(cache, ".measures").size() == 2);
  CHECK(as_of("") == earlier);
  // A damaged measures file is computed again.
  for (const fs::path& file : Snapshots(cache, ".measures")) {
    const std::string whole = ReadFile(file.string());
    OverwriteKeepingTime(file, whole.size() / 2, std::string(512, '\x7f'));
  }
  CHECK(RunJson(data) == from_csv);
  CHECK(as_of("") == earlier);
}

TEST_CASE("a snapshot that cannot be written is a warning: the run goes on and reports the same", "[cli][snapshot]") {
  const fs::path data = CopyOfData("unwritable");
  const std::string from_csv = RunJson(data, "--no-cache");
  // A folder inside a regular file cannot be made, even by root.
  const fs::path blocker = fs::temp_directory_path() / "relc_snapshot_test_blocker";
  fs::remove_all(blocker);
  std::ofstream(blocker) << "a file, not a folder";
  Result run = Relc("run examples/winback/winback.rel --as-of 2026-01-01 --format json --data " + data.string() + " --cache " +
                        (blocker / "cache").string(),
                    /*merge_stderr=*/false);
  CHECK(run.exit_code == 0);
  CHECK(run.out == from_csv);
  Result warned = Relc("panels examples/winback/winback.rel --as-of 2026-01-01 --data " + data.string() + " --cache " +
                           (blocker / "cache").string(),
                       /*merge_stderr=*/true);
  CHECK(warned.exit_code == 0);
  CHECK(warned.out.find("warning: no snapshot of the data for the next run: cannot write") != std::string::npos);
  fs::remove(blocker);
}
