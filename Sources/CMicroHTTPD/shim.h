/* Thin C helpers around libmicrohttpd for Swift.
 * MHD's start, info and logging entry points are variadic, which Swift cannot call;
 * these static inline wrappers give them fixed signatures. */
#ifndef RELAIS_MHD_SHIM_H
#define RELAIS_MHD_SHIM_H

#include <stdint.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <microhttpd.h>

typedef void (*relais_mhd_log_cb)(void *cls, const char *message);

typedef struct relais_mhd_log_target {
    relais_mhd_log_cb log;
    void *cls;
} relais_mhd_log_target;

typedef struct relais_mhd_options {
    const char *host;            /* numeric IPv4 or IPv6 address */
    uint16_t port;               /* 0: ephemeral */
    unsigned int threads;        /* thread pool size */
    unsigned int connection_timeout_seconds;
    unsigned int connection_limit;
    unsigned int per_ip_connection_limit; /* 0: none (the accept policy counts per address) */
    size_t connection_memory_limit;
    const char *tls_cert_pem;    /* NULL: plain HTTP */
    const char *tls_key_pem;
    relais_mhd_log_target *log_target; /* must outlive the daemon */
} relais_mhd_options;

static inline void relais_mhd_external_logger(void *cls, const char *fmt, va_list ap) {
    relais_mhd_log_target *target = (relais_mhd_log_target *)cls;
    char buffer[1024];
    vsnprintf(buffer, sizeof buffer, fmt, ap);
    size_t n = strlen(buffer);
    while (n > 0 && (buffer[n - 1] == '\n' || buffer[n - 1] == '\r')) buffer[--n] = '\0';
    if (target && target->log) target->log(target->cls, buffer);
}

/* Starts a daemon with an internal polling thread pool on epoll, and every limit set
 * (MHD's defaults leave the connection timeout unlimited). Returns NULL with `error`
 * filled when the address is invalid or the daemon cannot start. */
static inline struct MHD_Daemon *relais_mhd_start(const relais_mhd_options *o,
                                                  MHD_AccessHandlerCallback handler, void *handler_cls,
                                                  MHD_RequestCompletedCallback completed, void *completed_cls,
                                                  MHD_AcceptPolicyCallback accept_policy, MHD_NotifyConnectionCallback notify_connection,
                                                  void *connection_cls, char *error, size_t error_len) {
    struct sockaddr_in v4;
    struct sockaddr_in6 v6;
    struct sockaddr *addr;
    unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC | MHD_USE_ERROR_LOG;
    memset(&v4, 0, sizeof v4);
    memset(&v6, 0, sizeof v6);
    if (inet_pton(AF_INET, o->host, &v4.sin_addr) == 1) {
        v4.sin_family = AF_INET;
        v4.sin_port = htons(o->port);
        addr = (struct sockaddr *)&v4;
    } else if (inet_pton(AF_INET6, o->host, &v6.sin6_addr) == 1) {
        v6.sin6_family = AF_INET6;
        v6.sin6_port = htons(o->port);
        addr = (struct sockaddr *)&v6;
        flags |= MHD_USE_IPv6;
    } else {
        snprintf(error, error_len, "'%s' is not a numeric IPv4 or IPv6 address", o->host);
        return NULL;
    }
    if (o->tls_cert_pem && o->tls_key_pem) flags |= MHD_USE_TLS;

    struct MHD_OptionItem options[] = {
        { MHD_OPTION_SOCK_ADDR, 0, addr },
        { MHD_OPTION_THREAD_POOL_SIZE, (intptr_t)o->threads, NULL },
        { MHD_OPTION_CONNECTION_TIMEOUT, (intptr_t)o->connection_timeout_seconds, NULL },
        { MHD_OPTION_CONNECTION_LIMIT, (intptr_t)o->connection_limit, NULL },
        { MHD_OPTION_PER_IP_CONNECTION_LIMIT, (intptr_t)o->per_ip_connection_limit, NULL },
        { MHD_OPTION_CONNECTION_MEMORY_LIMIT, (intptr_t)o->connection_memory_limit, NULL },
        { MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)completed, completed_cls },
        { MHD_OPTION_NOTIFY_CONNECTION, (intptr_t)notify_connection, connection_cls },
        { MHD_OPTION_EXTERNAL_LOGGER, (intptr_t)relais_mhd_external_logger, o->log_target },
        { (flags & MHD_USE_TLS) ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, 0, (void *)o->tls_cert_pem },
        { (flags & MHD_USE_TLS) ? MHD_OPTION_HTTPS_MEM_KEY : MHD_OPTION_END, 0, (void *)o->tls_key_pem },
        { MHD_OPTION_END, 0, NULL },
    };
    struct MHD_Daemon *daemon = MHD_start_daemon(flags, o->port, accept_policy, connection_cls, handler, handler_cls,
                                                 MHD_OPTION_ARRAY, options, MHD_OPTION_END);
    if (daemon == NULL) {
        snprintf(error, error_len, "libmicrohttpd could not start on %s port %u (address in use, or TLS key/certificate invalid)",
                 o->host, (unsigned)o->port);
    }
    return daemon;
}

static inline uint16_t relais_mhd_bound_port(struct MHD_Daemon *daemon) {
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_BIND_PORT);
    return info ? info->port : 0;
}

/* A socket address as numeric text ("" for other families). IPv4-mapped IPv6 addresses
 * (::ffff:a.b.c.d) are written as IPv4, so that one client has one spelling. */
static inline void relais_sockaddr_text(const struct sockaddr *sa, char *buffer, socklen_t len) {
    buffer[0] = '\0';
    if (!sa) return;
    if (sa->sa_family == AF_INET) {
        inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, buffer, len);
    } else if (sa->sa_family == AF_INET6) {
        const struct in6_addr *a = &((const struct sockaddr_in6 *)sa)->sin6_addr;
        if (IN6_IS_ADDR_V4MAPPED(a)) {
            inet_ntop(AF_INET, &a->s6_addr[12], buffer, len);
        } else {
            inet_ntop(AF_INET6, a, buffer, len);
        }
    }
}

/* The connection's socket, or -1. */
static inline int relais_mhd_connection_fd(struct MHD_Connection *connection) {
    const union MHD_ConnectionInfo *info = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CONNECTION_FD);
    return info ? info->connect_fd : -1;
}

/* The client's numeric address, written into `buffer` ("" when unknown). */
static inline void relais_mhd_client_address(struct MHD_Connection *connection, char *buffer, socklen_t len) {
    buffer[0] = '\0';
    const union MHD_ConnectionInfo *info = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (!info || !info->client_addr) return;
    relais_sockaddr_text(info->client_addr, buffer, len);
}

#endif
