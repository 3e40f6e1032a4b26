/* The raw baseline of `make bench`: the least a libmicrohttpd server can do per request, a fixed
 * small JSON body on every path, so that the ratios printed for relais say how much of the raw
 * server's speed its own work costs.
 *
 * Usage: hello PORT [MODE [THREADS]]
 *   MODE epoll (default)  internal polling thread pool on epoll
 *        epoll-turbo      the same with MHD_USE_TURBO (fewer syscalls per connection)
 *        poll             internal polling thread pool on poll()
 *        select           internal polling thread pool on select()
 *        per-connection   one thread per connection (poll)
 *   THREADS: pool size, default the number of online cores.
 * run.sh tries the modes and thread counts and takes the fastest as the baseline. */
#include <microhttpd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *BODY = "{\"database\":\"ok\",\"status\":\"ok\",\"version\":\"0.1.0\"}";

static enum MHD_Result handler(void *cls, struct MHD_Connection *connection, const char *url, const char *method,
                               const char *version, const char *upload_data, size_t *upload_data_size, void **req_cls) {
    (void)cls; (void)url; (void)method; (void)version; (void)upload_data; (void)upload_data_size; (void)req_cls;
    struct MHD_Response *response = MHD_create_response_from_buffer(strlen(BODY), (void *)BODY, MHD_RESPMEM_PERSISTENT);
    MHD_add_response_header(response, "Content-Type", "application/json; charset=utf-8");
    enum MHD_Result result = MHD_queue_response(connection, MHD_HTTP_OK, response);
    MHD_destroy_response(response);
    return result;
}

static volatile sig_atomic_t stop = 0;
static void on_signal(int signo) { (void)signo; stop = 1; }

int main(int argc, char **argv) {
    unsigned short port = argc > 1 ? (unsigned short)atoi(argv[1]) : 8081;
    const char *mode = argc > 2 ? argv[2] : "epoll";
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    unsigned int threads = argc > 3 ? (unsigned int)atoi(argv[3]) : (unsigned int)(cores > 0 ? cores : 1);
    unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ITC;
    if (strcmp(mode, "epoll") == 0) flags |= MHD_USE_EPOLL;
    else if (strcmp(mode, "epoll-turbo") == 0) flags |= MHD_USE_EPOLL | MHD_USE_TURBO;
    else if (strcmp(mode, "poll") == 0) flags |= MHD_USE_POLL;
    else if (strcmp(mode, "select") == 0) { /* MHD's default: select() */ }
    else if (strcmp(mode, "per-connection") == 0) { flags |= MHD_USE_THREAD_PER_CONNECTION | MHD_USE_POLL; threads = 0; }
    else { fprintf(stderr, "hello: unknown mode %s\n", mode); return 2; }
    /* The same limits as relais (ServerConfiguration's defaults), so that neither side gets a
     * cheaper configuration than the other. A pool of 0 or 1 thread means no pool. */
    struct MHD_Daemon *daemon = MHD_start_daemon(
        flags, port, NULL, NULL, handler, NULL,
        MHD_OPTION_THREAD_POOL_SIZE, threads > 1 ? threads : 0,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)30,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned int)1024,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(128 * 1024),
        MHD_OPTION_END);
    if (!daemon) { fprintf(stderr, "hello: cannot start on port %u (%s, %u threads)\n", port, mode, threads); return 1; }
    signal(SIGTERM, on_signal);
    signal(SIGINT, on_signal);
    while (!stop) pause();
    MHD_stop_daemon(daemon);
    return 0;
}
