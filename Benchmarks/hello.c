/* The baseline of `make bench`: a minimal libmicrohttpd server started with the same options
 * as relais (internal polling thread pool on epoll, timeouts and limits), answering fixed JSON
 * bodies on the same paths. Usage: hello PORT */
#include <microhttpd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *HEALTH = "{\"database\":\"ok\",\"status\":\"ok\",\"version\":\"0.1.0\"}";
static const char *ME = "{\"displayName\":\"bench\",\"id\":\"00000000-0000-0000-0000-000000000000\",\"language\":\"fr\",\"name\":\"bench\",\"role\":\"coordinator\"}";

static enum MHD_Result handler(void *cls, struct MHD_Connection *connection, const char *url, const char *method,
                               const char *version, const char *upload_data, size_t *upload_data_size, void **req_cls) {
    (void)cls; (void)method; (void)version; (void)upload_data; (void)upload_data_size; (void)req_cls;
    const char *body = strcmp(url, "/api/v1/me") == 0 ? ME : HEALTH;
    struct MHD_Response *response = MHD_create_response_from_buffer(strlen(body), (void *)body, MHD_RESPMEM_PERSISTENT);
    MHD_add_response_header(response, "Content-Type", "application/json; charset=utf-8");
    enum MHD_Result result = MHD_queue_response(connection, MHD_HTTP_OK, response);
    MHD_destroy_response(response);
    return result;
}

static volatile sig_atomic_t stop = 0;
static void on_signal(int signo) { (void)signo; stop = 1; }

int main(int argc, char **argv) {
    unsigned short port = argc > 1 ? (unsigned short)atoi(argv[1]) : 8081;
    struct MHD_Daemon *daemon = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC, port, NULL, NULL, handler, NULL,
        MHD_OPTION_THREAD_POOL_SIZE, (unsigned int)8,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)30,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned int)1024,
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned int)256,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(128 * 1024),
        MHD_OPTION_END);
    if (!daemon) { fprintf(stderr, "hello: cannot start on port %u\n", port); return 1; }
    signal(SIGTERM, on_signal);
    signal(SIGINT, on_signal);
    while (!stop) pause();
    MHD_stop_daemon(daemon);
    return 0;
}
