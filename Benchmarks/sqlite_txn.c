/* The raw baseline of `POST /api/v1/participants` in `make bench`: how many single-row write
 * transactions SQLite itself commits per second on this disk, with the pragmas relais sets
 * (Sources/RelaisStore/Store.swift: WAL through GRDB's DatabasePool, synchronous=NORMAL,
 * foreign_keys=ON, busy timeout 10 s), one connection, prepared statements.
 *
 * Usage: sqlite_txn DATABASE SECONDS
 * Prints "transactions/s p50_ms p99_ms". */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000.0 + t.tv_nsec / 1e6;
}

static int compare(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void check(int rc, sqlite3 *db, const char *what) {
    if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW) {
        fprintf(stderr, "sqlite_txn: %s: %s\n", what, sqlite3_errmsg(db));
        exit(1);
    }
}

int main(int argc, char **argv) {
    if (argc < 3) { fprintf(stderr, "usage: sqlite_txn DATABASE SECONDS\n"); return 2; }
    double seconds = atof(argv[2]);
    sqlite3 *db;
    check(sqlite3_open(argv[1], &db), db, "open");
    sqlite3_busy_timeout(db, 10000);
    check(sqlite3_exec(db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;", 0, 0, 0), db, "pragmas");
    /* A row of about the size of a participant's, with its primary key and a name index. */
    check(sqlite3_exec(db,
                       "CREATE TABLE IF NOT EXISTS person (id TEXT PRIMARY KEY, first_name TEXT NOT NULL, last_name TEXT NOT NULL, "
                       "phone TEXT, details TEXT NOT NULL, created_at TEXT NOT NULL);"
                       "CREATE INDEX IF NOT EXISTS person_name ON person(last_name, first_name);",
                       0, 0, 0), db, "schema");
    sqlite3_stmt *begin, *insert, *commit;
    check(sqlite3_prepare_v2(db, "BEGIN IMMEDIATE", -1, &begin, 0), db, "prepare begin");
    check(sqlite3_prepare_v2(db, "INSERT INTO person VALUES (?, ?, 'Bench', '06 11 22 33 44', "
                                 "'{\"noContact\":false,\"consentDataProcessing\":true}', ?)", -1, &insert, 0), db, "prepare insert");
    check(sqlite3_prepare_v2(db, "COMMIT", -1, &commit, 0), db, "prepare commit");

    size_t capacity = 1 << 20, count = 0;
    double *latencies = malloc(capacity * sizeof *latencies);
    double start = now_ms(), end = start + seconds * 1000;
    char id[40], name[32], stamp[32];
    while (now_ms() < end) {
        double t0 = now_ms();
        snprintf(id, sizeof id, "00000000-0000-4000-8000-%012zu", count);
        snprintf(name, sizeof name, "P%zu", count);
        snprintf(stamp, sizeof stamp, "%.3f", t0);
        check(sqlite3_step(begin), db, "begin");
        sqlite3_bind_text(insert, 1, id, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(insert, 2, name, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(insert, 3, stamp, -1, SQLITE_TRANSIENT);
        check(sqlite3_step(insert), db, "insert");
        check(sqlite3_step(commit), db, "commit");
        sqlite3_reset(begin);
        sqlite3_reset(insert);
        sqlite3_reset(commit);
        if (count == capacity) latencies = realloc(latencies, (capacity *= 2) * sizeof *latencies);
        latencies[count++] = now_ms() - t0;
    }
    double elapsed = (now_ms() - start) / 1000;
    qsort(latencies, count, sizeof *latencies, compare);
    printf("%.0f %.3f %.3f\n", count / elapsed, latencies[count / 2], latencies[(size_t)(count * 0.99)]);
    sqlite3_finalize(begin);
    sqlite3_finalize(insert);
    sqlite3_finalize(commit);
    sqlite3_close(db);
    free(latencies);
    return 0;
}
